// Small builders the sandbox specifications share: a sandbox per test and PageUp's three steps.

import { createHash } from 'node:crypto';
import { connect } from 'node:net';

import { startSandbox } from '../../sandbox';
import type { Sandbox, SandboxOptions } from '../../sandbox';

export interface PreparedUpload {
	url: string;
	headers: Record<string, string>;
	fileName: string;
}

export interface RawResponse {
	status: number;
	headers: Record<string, string>;
	body: string;
}

/** Starts a fresh sandbox before each test and closes it after; read it with `current()`. */
export function useSandbox(options: SandboxOptions = {}): () => Sandbox {
	let sandbox: Sandbox | undefined;
	beforeEach(async () => {
		sandbox = await startSandbox(options);
	});
	afterEach(async () => {
		await sandbox?.close();
		sandbox = undefined;
	});
	return () => {
		if (sandbox === undefined) throw new Error('The sandbox runs only inside a test.');
		return sandbox;
	};
}

export function sha256(bytes: Buffer): string {
	return createHash('sha256').update(bytes).digest('hex');
}

export function requestToken(
	sandbox: Sandbox,
	fields: Record<string, string> = {},
	contentType = 'application/x-www-form-urlencoded',
): Promise<Response> {
	const form = new URLSearchParams({
		grant_type: 'client_credentials',
		client_id: sandbox.credentials.clientId,
		client_secret: sandbox.credentials.clientSecret,
		scope: sandbox.credentials.scopes,
		...fields,
	});
	return fetch(sandbox.tokenUrl, {
		method: 'POST',
		headers: { 'Content-Type': contentType },
		body: form.toString(),
	});
}

export async function accessToken(sandbox: Sandbox, scope?: string): Promise<string> {
	const response = await requestToken(sandbox, scope === undefined ? {} : { scope });
	expect(response.status).toBe(200);
	const body = (await response.json()) as { access_token: string };
	return body.access_token;
}

export function bearer(token: string): Record<string, string> {
	return { Authorization: `Bearer ${token}` };
}

export function prepareResponse(
	sandbox: Sandbox,
	token: string,
	query: Record<string, string>,
): Promise<Response> {
	const params = new URLSearchParams(query);
	return fetch(`${sandbox.apiRootUrl}/prepareTempDirectUpload?${params}`, {
		headers: bearer(token),
	});
}

export async function prepare(
	sandbox: Sandbox,
	token: string,
	fileName: string,
	contentType?: string,
): Promise<PreparedUpload> {
	const query: Record<string, string> = { fileName };
	if (contentType !== undefined) query.contentType = contentType;
	const response = await prepareResponse(sandbox, token, query);
	expect(response.status).toBe(200);
	return (await response.json()) as PreparedUpload;
}

export function put(upload: PreparedUpload, bytes: Buffer, extraHeaders = {}): Promise<Response> {
	return fetch(upload.url, {
		method: 'PUT',
		headers: { ...upload.headers, ...extraHeaders },
		body: bytes,
	});
}

export async function prepareAndPut(
	sandbox: Sandbox,
	token: string,
	fileName: string,
	bytes: Buffer,
): Promise<PreparedUpload> {
	const upload = await prepare(sandbox, token, fileName);
	const response = await put(upload, bytes);
	expect(response.status).toBe(200);
	return upload;
}

export function moveFromTemp(sandbox: Sandbox, token: string, body: unknown): Promise<Response> {
	return fetch(`${sandbox.apiRootUrl}/moveFromTemp`, {
		method: 'POST',
		headers: { ...bearer(token), 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});
}

/** The three steps with sensible defaults; answers the new document's id. */
export async function uploadDocument(
	sandbox: Sandbox,
	token: string,
	fileName: string,
	bytes: Buffer,
	fields: Record<string, unknown> = {},
): Promise<number> {
	await prepareAndPut(sandbox, token, fileName, bytes);
	const response = await moveFromTemp(sandbox, token, {
		title: fileName,
		fileName,
		physicalFile: fileName,
		documentCategoryId: 7,
		...fields,
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as { documentId: number }).documentId;
}

export function downloadLink(
	sandbox: Sandbox,
	token: string,
	documentId: number | string,
	expiresInSeconds?: string,
): Promise<Response> {
	const query = expiresInSeconds === undefined ? '' : `?expiresInSeconds=${expiresInSeconds}`;
	return fetch(`${sandbox.apiRootUrl}/${documentId}${query}`, { headers: bearer(token) });
}

/** An S3 error body's code, e.g. SignatureDoesNotMatch. */
export function s3Code(xml: string): string | undefined {
	return /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
}

export function portOf(url: string): number {
	return Number(new URL(url).port);
}

/**
 * Sends bytes on a raw socket, for requests fetch will not make (no Content-Length, a short
 * body); `halfClose` ends the sending side after them, as a client that gave up would.
 */
export function rawRequest(port: number, head: string, body = '', halfClose = false) {
	return new Promise<RawResponse>((resolve, reject) => {
		const socket = connect(port, '127.0.0.1', () => {
			socket.write(head.replace(/\n/g, '\r\n') + '\r\n\r\n' + body);
			if (halfClose) socket.end();
		});
		let received = '';
		socket.setEncoding('utf8');
		socket.on('data', (chunk: string) => {
			received += chunk;
			const response = parseRawResponse(received);
			if (response !== undefined) {
				socket.destroy();
				resolve(response);
			}
		});
		socket.on('error', reject);
		socket.on('close', () => {
			reject(new Error(`The connection closed after: ${JSON.stringify(received)}`));
		});
	});
}

function parseRawResponse(text: string): RawResponse | undefined {
	const headEnd = text.indexOf('\r\n\r\n');
	if (headEnd < 0) return undefined;
	const [statusLine, ...headerLines] = text.slice(0, headEnd).split('\r\n');
	const headers: Record<string, string> = {};
	for (const line of headerLines) {
		const colon = line.indexOf(':');
		headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
	}
	const body = text.slice(headEnd + 4);
	if (Buffer.byteLength(body) < Number(headers['content-length'] ?? 0)) return undefined;
	return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/** The request line and headers of a presigned URL for a raw request. */
export function rawHead(method: string, url: string, headers: Record<string, string>): string {
	const target = new URL(url);
	const lines = [`${method} ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`];
	for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
	return lines.join('\n');
}
