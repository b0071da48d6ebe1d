import { Agent, request } from 'node:http';

import { startSandbox } from '../../sandbox';
import {
	accessToken,
	downloadLink,
	prepare,
	prepareResponse,
	put,
	uploadDocument,
	useSandbox,
} from './helpers';

describe('latency and calls in flight', () => {
	// Far above what a local call takes, so delayed and undelayed calls cannot be confused.
	const latencyMs = 250;
	const sandbox = useSandbox({ latencyMs });

	it('holds each API call for latencyMs and counts parallel calls in flight at once', async () => {
		const token = await accessToken(sandbox());
		sandbox().resetStats();

		const timings = await Promise.all(
			Array.from({ length: 5 }, async (_, index) => {
				const started = Date.now();
				const response = await prepareResponse(sandbox(), token, { fileName: `f${index}.pdf` });
				return { status: response.status, ms: Date.now() - started };
			}),
		);

		expect(timings.map((timing) => timing.status)).toEqual([200, 200, 200, 200, 200]);
		timings.forEach((timing) => expect(timing.ms).toBeGreaterThanOrEqual(latencyMs - 5));
		expect(sandbox().stats().maxInFlight).toBe(5);
		expect(sandbox().stats().maxInFlightByKind.prepare).toBe(5);
	});

	it('delays token, prepare, move and link, but not the S3 store', async () => {
		const token = await accessToken(sandbox());
		await uploadDocument(sandbox(), token, 'cv.pdf', Buffer.from('cv'));
		await downloadLink(sandbox(), token, 1001);

		const durations = new Map(
			sandbox()
				.requests()
				.map((record) => [record.kind, record.durationMs]),
		);

		for (const kind of ['token', 'prepare', 'move', 'link'] as const) {
			expect(durations.get(kind)).toBeGreaterThanOrEqual(latencyMs - 1);
		}
		expect(durations.get('put')).toBeLessThan(latencyMs - 50);
	});

	it('takes a new latency while running', async () => {
		sandbox().setOptions({ latencyMs: 0 });
		const started = Date.now();

		await accessToken(sandbox());

		expect(Date.now() - started).toBeLessThan(latencyMs - 50);
	});

	it('leaves S3 out of maxInFlight but counts it per kind', async () => {
		const token = await accessToken(sandbox());
		const uploads = await Promise.all(
			Array.from({ length: 3 }, (_, index) => prepare(sandbox(), token, `f${index}.pdf`)),
		);
		sandbox().resetStats();

		await Promise.all(uploads.map((upload) => put(upload, Buffer.alloc(1024 * 1024))));

		expect(sandbox().stats().maxInFlight).toBe(0);
		expect(sandbox().stats().maxInFlightByKind.put).toBeGreaterThanOrEqual(1);
		expect(sandbox().stats().uploads).toBe(3);
	});
});

describe('the request log and counters', () => {
	const sandbox = useSandbox();

	it('counts each kind of request and each stored upload', async () => {
		const token = await accessToken(sandbox());
		const documentId = await uploadDocument(sandbox(), token, 'cv.pdf', Buffer.from('cv'));
		const link = (await (await downloadLink(sandbox(), token, documentId)).json()) as {
			downloadUrl: string;
		};
		await (await fetch(link.downloadUrl)).arrayBuffer();

		expect(sandbox().stats()).toEqual({
			tokenRequests: 1,
			tokensIssued: 1,
			rejectedApiCalls: 0,
			requestsByKind: { token: 1, prepare: 1, put: 1, move: 1, link: 1, get: 1 },
			maxInFlight: 1,
			maxInFlightByKind: { token: 1, prepare: 1, put: 1, move: 1, link: 1, get: 1 },
			uploads: 1,
		});
	});

	it('logs kind, status and size of each request, hiding tokens and signatures', async () => {
		const token = await accessToken(sandbox());
		const upload = await prepare(sandbox(), token, 'cv.pdf');
		await put(upload, Buffer.from('twelve bytes'));

		const records = sandbox().requests();
		const logged = JSON.stringify(records);

		expect(records.map((record) => [record.kind, record.method, record.status])).toEqual([
			['token', 'POST', 200],
			['prepare', 'GET', 200],
			['put', 'PUT', 200],
		]);
		expect(records[2]).toMatchObject({ bodySize: 12, completed: true });
		expect(records[2].path).toMatch(
			/^\/pageup-sandbox-documents\/temp\/.*X-Amz-Signature=REDACTED/,
		);
		expect(records[1].headers.authorization).toBe('Bearer REDACTED');
		expect(records[0].startedAt).toBeLessThanOrEqual(records[1].startedAt);
		expect(logged).not.toContain(token);
		expect(logged).not.toContain(sandbox().credentials.clientSecret);
		expect(logged).not.toContain(new URL(upload.url).searchParams.get('X-Amz-Signature'));
	});

	it('starts afresh on resetStats', async () => {
		await accessToken(sandbox());

		sandbox().resetStats();

		expect(sandbox().stats().tokenRequests).toBe(0);
		expect(sandbox().requests()).toEqual([]);
	});

	it('keeps connections alive between calls', async () => {
		const agent = new Agent({ keepAlive: true, maxSockets: 1 });
		const reused: boolean[] = [];
		try {
			for (let index = 0; index < 2; index += 1) {
				reused.push(await getReusingSocket(`${sandbox().apiUrl}/__sandbox/stats`, agent));
			}
		} finally {
			agent.destroy();
		}

		expect(reused).toEqual([false, true]);
	});
});

describe('a sandbox with a request listener', () => {
	it('hands each record to onRequest as it is logged', async () => {
		const seen: string[] = [];
		const sandbox = await startSandbox({ onRequest: (record) => seen.push(record.kind) });
		try {
			await accessToken(sandbox);
			await new Promise((resolve) => setImmediate(resolve));

			expect(seen).toEqual(['token']);
		} finally {
			await sandbox.close();
		}
	});
});

function getReusingSocket(url: string, agent: Agent): Promise<boolean> {
	return new Promise((resolve, reject) => {
		const req = request(url, { agent }, (res) => {
			res.resume();
			res.on('end', () => resolve(req.reusedSocket));
		});
		req.on('error', reject);
		req.end();
	});
}
