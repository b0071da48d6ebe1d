import { randomBytes } from 'node:crypto';

import type { FaultSpec } from '../../sandbox';

import {
	accessToken,
	downloadLink,
	moveFromTemp,
	prepare,
	prepareResponse,
	put,
	requestToken,
	s3Code,
	sha256,
	uploadDocument,
	useSandbox,
} from './helpers';

const MOVE = { title: 'CV', fileName: 'cv.pdf', physicalFile: 'cv.pdf', documentCategoryId: 7 };

describe('injected faults', () => {
	const sandbox = useSandbox();

	async function statuses(count: number, call: () => Promise<Response>): Promise<number[]> {
		const seen: number[] = [];
		for (let index = 0; index < count; index += 1) seen.push((await call()).status);
		return seen;
	}

	it('fail the next N token requests with 500, then stop', async () => {
		sandbox().injectFault({ kind: 'token', status: 500, count: 2 });

		const seen = await statuses(3, () => requestToken(sandbox()));

		expect(seen).toEqual([500, 500, 200]);
		expect(sandbox().stats()).toMatchObject({ tokenRequests: 3, tokensIssued: 1 });
	});

	it('hold a token request long enough for a client timeout, once', async () => {
		sandbox().injectFault({ kind: 'token', delayMs: 2000 });

		const timedOut = fetch(sandbox().tokenUrl, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: 'grant_type=client_credentials',
			signal: AbortSignal.timeout(150),
		});

		await expect(timedOut).rejects.toThrow();
		expect((await requestToken(sandbox())).status).toBe(200);
	});

	it('answer 401 as if the token had been revoked early, and count it as rejected', async () => {
		const token = await accessToken(sandbox());
		sandbox().injectFault({ kind: 'prepare', status: 401 });

		const rejected = await prepareResponse(sandbox(), token, { fileName: 'cv.pdf' });
		const next = await prepareResponse(sandbox(), token, { fileName: 'cv.pdf' });

		expect(rejected.status).toBe(401);
		expect(rejected.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
		expect(await rejected.json()).toEqual([{ message: expect.any(String) }]);
		expect(next.status).toBe(200);
		expect(sandbox().stats().rejectedApiCalls).toBe(1);
	});

	it('answer 429 with Retry-After when asked, and without it otherwise', async () => {
		const token = await accessToken(sandbox());
		sandbox().injectFault({ kind: 'prepare', status: 429, headers: { 'Retry-After': '3' } });
		sandbox().injectFault({ kind: 'prepare', status: 429 });

		const withHint = await prepareResponse(sandbox(), token, { fileName: 'cv.pdf' });
		const without = await prepareResponse(sandbox(), token, { fileName: 'cv.pdf' });

		expect(withHint.status).toBe(429);
		expect(withHint.headers.get('retry-after')).toBe('3');
		expect(await withHint.json()).toEqual([{ message: 'Daily rate limit exceeded.' }]);
		expect(without.status).toBe(429);
		expect(without.headers.get('retry-after')).toBeNull();
	});

	it.each([500, 502, 503])(
		'answer a download link with %d for exactly the count given',
		async (status) => {
			const token = await accessToken(sandbox());
			const documentId = await uploadDocument(sandbox(), token, 'cv.pdf', Buffer.from('cv'));
			sandbox().injectFault({ kind: 'link', status, count: 2 });

			const seen = await statuses(3, () => downloadLink(sandbox(), token, documentId));

			expect(seen).toEqual([status, status, 200]);
		},
	);

	it('answer a PUT with S3 503 SlowDown, and the retry is stored', async () => {
		const token = await accessToken(sandbox());
		const upload = await prepare(sandbox(), token, 'cv.pdf');
		sandbox().injectFault({ kind: 'put', status: 503 });

		const slowDown = await put(upload, Buffer.from('cv'));
		const retry = await put(upload, Buffer.from('cv'));

		expect(slowDown.status).toBe(503);
		expect(slowDown.headers.get('content-type')).toBe('application/xml');
		expect(s3Code(await slowDown.text())).toBe('SlowDown');
		expect(retry.status).toBe(200);
		expect(sandbox().stats().uploads).toBe(1);
	});

	it('cut the connection about halfway through a PUT body, storing nothing', async () => {
		const token = await accessToken(sandbox());
		const upload = await prepare(sandbox(), token, 'cv.pdf');
		const bytes = randomBytes(8 * 1024 * 1024);
		sandbox().injectFault({ kind: 'put', reset: true });

		await expect(put(upload, bytes)).rejects.toThrow();

		// The client sees the reset before the server has finished logging the request.
		const cutRecord = () =>
			sandbox()
				.requests()
				.find((record) => record.kind === 'put');
		for (let waited = 0; cutRecord() === undefined && waited < 2000; waited += 20) {
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		const cut = cutRecord();
		expect(cut).toMatchObject({ status: 0, completed: false });
		expect(cut?.bodySize).toBeGreaterThanOrEqual(bytes.length / 2);
		expect(cut?.bodySize).toBeLessThan(bytes.length);
		expect((await moveFromTemp(sandbox(), token, MOVE)).status).toBe(400);
		expect((await put(upload, bytes)).status).toBe(200);
		expect((await moveFromTemp(sandbox(), token, MOVE)).status).toBe(200);
		expect(sandbox().document(1001)?.sha256).toBe(sha256(bytes));
	});

	it('answer a PUT as if its presigned URL had expired', async () => {
		const token = await accessToken(sandbox());
		const upload = await prepare(sandbox(), token, 'cv.pdf');
		sandbox().injectFault({ kind: 'put', expireUploadUrl: true });

		const expired = await put(upload, Buffer.from('cv'));

		expect(expired.status).toBe(403);
		const body = await expired.text();
		expect(s3Code(body)).toBe('AccessDenied');
		expect(body).toContain('Request has expired');
		expect((await put(upload, Buffer.from('cv'))).status).toBe(200);
	});

	it('fail a move after the bytes reached S3 without moving, so a retry succeeds', async () => {
		const token = await accessToken(sandbox());
		const upload = await prepare(sandbox(), token, 'cv.pdf');
		await put(upload, Buffer.from('cv'));
		sandbox().injectFault({ kind: 'move', status: 500 });

		const failed = await moveFromTemp(sandbox(), token, MOVE);
		const documentsAfterFailure = sandbox().documents().length;
		const retry = await moveFromTemp(sandbox(), token, MOVE);

		expect(failed.status).toBe(500);
		expect(await failed.json()).toEqual([{ message: 'An error has occurred.' }]);
		expect(documentsAfterFailure).toBe(0);
		expect(retry.status).toBe(200);
	});

	it('fail a move after moving (afterEffect): it exists, and a retry is refused', async () => {
		const token = await accessToken(sandbox());
		const upload = await prepare(sandbox(), token, 'cv.pdf');
		await put(upload, Buffer.from('cv'));
		sandbox().injectFault({ kind: 'move', status: 502, afterEffect: true });

		const failed = await moveFromTemp(sandbox(), token, MOVE);
		const retry = await moveFromTemp(sandbox(), token, MOVE);

		expect(failed.status).toBe(502);
		expect(sandbox().documents()).toHaveLength(1);
		expect(retry.status).toBe(400);
	});

	it('answer a download with S3 503 SlowDown, and cut another halfway', async () => {
		const token = await accessToken(sandbox());
		const bytes = randomBytes(2 * 1024 * 1024);
		const documentId = await uploadDocument(sandbox(), token, 'cv.pdf', bytes);
		const link = (await (await downloadLink(sandbox(), token, documentId)).json()) as {
			downloadUrl: string;
		};
		sandbox().injectFault({ kind: 'get', status: 503 });
		sandbox().injectFault({ kind: 'get', reset: true });

		const slowDown = await fetch(link.downloadUrl);
		const cut = await fetch(link.downloadUrl);
		const cutBody = cut.arrayBuffer();
		const whole = await fetch(link.downloadUrl);

		expect(slowDown.status).toBe(503);
		expect(s3Code(await slowDown.text())).toBe('SlowDown');
		expect(cut.status).toBe(200);
		await expect(cutBody).rejects.toThrow();
		expect(sha256(Buffer.from(await whole.arrayBuffer()))).toBe(sha256(bytes));
	});

	it('send a body and headers of their own when given', async () => {
		sandbox().injectFault({
			kind: 'token',
			status: 503,
			body: '<html>maintenance</html>',
			headers: { 'Content-Type': 'text/html' },
		});

		const response = await requestToken(sandbox());

		expect(response.status).toBe(503);
		expect(response.headers.get('content-type')).toBe('text/html');
		expect(await response.text()).toBe('<html>maintenance</html>');
	});

	it('answer normally after a delay that comes without a status', async () => {
		sandbox().injectFault({ kind: 'token', delayMs: 200 });
		const started = Date.now();

		const response = await requestToken(sandbox());

		expect(response.status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(190);
	});

	it('fire in the order injected, and clearFaults drops those still pending', async () => {
		sandbox().injectFault({ kind: 'token', status: 502 });
		sandbox().injectFault({ kind: 'token', status: 503, count: 3 });

		const seen = await statuses(2, () => requestToken(sandbox()));
		const pending = sandbox().pendingFaults();
		sandbox().clearFaults();

		expect(seen).toEqual([502, 503]);
		expect(pending).toEqual([{ spec: { kind: 'token', status: 503, count: 3 }, remaining: 2 }]);
		expect((await requestToken(sandbox())).status).toBe(200);
	});

	it('leave other kinds alone', async () => {
		sandbox().injectFault({ kind: 'link', status: 500 });

		const token = await requestToken(sandbox());

		expect(token.status).toBe(200);
		expect(sandbox().pendingFaults()).toHaveLength(1);
	});

	it('are refused when they make no sense', () => {
		const inject = (fault: object) => () => sandbox().injectFault(fault as FaultSpec);

		expect(inject({ kind: 'upload' })).toThrow(/kind must be one of/);
		expect(inject({ kind: 'put', count: 0 })).toThrow(/count/);
		expect(inject({ kind: 'put', status: 99 })).toThrow(/status/);
		expect(inject({ kind: 'put', colour: 'red' })).toThrow(/Unknown fault field/);
	});
});
