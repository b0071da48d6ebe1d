// The yardstick: the least a client must do for the same work, on Node's http module alone.
// No retries, no token renewal, no checks: what is left is the cost of the work itself.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import { pipeline } from 'node:stream/promises';

import type { SandboxCredentials } from '../sandbox';
import type { UploadFile } from './protocol';

interface Answer {
	status: number;
	body: string;
}

// Node's global agent, which keeps sockets alive (Node 19 and later), as a plain client would.
function send(
	method: string,
	url: string,
	headers: Record<string, string | number>,
	body?: string | ((req: NodeJS.WritableStream) => Promise<void>),
): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const req = request(url, { method, headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () =>
				resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
			);
			res.on('error', reject);
		});
		req.on('error', reject);
		if (typeof body === 'function') body(req).catch(reject);
		else req.end(body);
	});
}

function expectOk(step: string, answer: Answer): unknown {
	if (answer.status < 200 || answer.status >= 300) {
		throw new Error(`baseline ${step}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
	}
	return answer.body === '' ? undefined : JSON.parse(answer.body);
}

export class BaselineClient {
	constructor(private readonly credentials: SandboxCredentials) {}

	async token(): Promise<string> {
		const { tokenUrl, clientId, clientSecret, scopes } = this.credentials;
		const form = new URLSearchParams({
			grant_type: 'client_credentials',
			client_id: clientId,
			client_secret: clientSecret,
			scope: scopes,
		}).toString();
		const answer = await send(
			'POST',
			tokenUrl,
			{
				'Content-Type': 'application/x-www-form-urlencoded',
				'Content-Length': Buffer.byteLength(form),
			},
			form,
		);
		return (expectOk('token', answer) as { access_token: string }).access_token;
	}

	/** Prepare, PUT with the returned headers and the file's length, then moveFromTemp. */
	async upload(token: string, file: UploadFile): Promise<number> {
		const { apiRootUrl } = this.credentials;
		const auth = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
		const query = new URLSearchParams({ fileName: file.fileName });
		const prepared = expectOk(
			'prepare',
			await send('GET', `${apiRootUrl}/prepareTempDirectUpload?${query}`, auth),
		) as { url: string; headers: Record<string, string> };

		const { size } = await stat(file.path);
		const headers = { ...prepared.headers, 'Content-Length': size };
		expectOk(
			'put',
			await send('PUT', prepared.url, headers, (req) => pipeline(createReadStream(file.path), req)),
		);

		const move = JSON.stringify({
			title: file.fileName,
			fileName: file.fileName,
			physicalFile: file.fileName,
			documentCategoryId: 7,
		});
		const moved = expectOk(
			'move',
			await send(
				'POST',
				`${apiRootUrl}/moveFromTemp`,
				{
					...auth,
					'Content-Type': 'application/json',
					'Content-Length': Buffer.byteLength(move),
				},
				move,
			),
		) as { documentId: number };
		return moved.documentId;
	}

	async downloadUrl(token: string, documentId: number): Promise<number> {
		const answer = await send(
			'GET',
			`${this.credentials.apiRootUrl}/${documentId}?expiresInSeconds=60`,
			{ Authorization: `Bearer ${token}`, Accept: 'application/json' },
		);
		return (expectOk('download link', answer) as { documentId: number }).documentId;
	}
}
