// The S3 side: the PUT of the bytes and the download of a file, against failures S3 really has.
import type { IDataObject } from 'n8n-workflow';

import {
	downloadUrlParameters,
	errorMessage,
	fileItem,
	sha256,
	uploadParameters,
	type World,
} from '../support/pageup';
import {
	errorDescription,
	logLines,
	NO_WAIT,
	preparedUpload,
	randomFile,
	requestCount,
	startRedirector,
	useWorld,
	type Redirector,
} from './support';

const MIB = 1024 * 1024;

const puts = (world: World) => world.sandbox.requests().filter(({ kind }) => kind === 'put');

async function upload(world: World, bytes: Buffer, options: IDataObject = NO_WAIT) {
	return await world.runNode({
		items: [fileItem('recording.bin', bytes)],
		parameters: uploadParameters({ documentCategoryId: 18, options }),
	});
}

function storedBytesOf(world: World, result: { items: Array<{ json: IDataObject }> }) {
	return world.sandbox.readDocument(result.items[0].json.documentId as number);
}

// n8n reads its binary-data mode once per process; memoryMode.test.ts runs these in memory mode.
describe('the PUT, with n8n keeping files on disk', () => {
	const world = useWorld({ binaryDataMode: 'filesystem' });

	it('is sent again from the first byte after S3 503 SlowDown, bytes intact', async () => {
		const bytes = randomFile(2 * MIB);
		world().sandbox.injectFault({ kind: 'put', status: 503, count: 2 });

		const result = await upload(world(), bytes);

		expect(result.error).toBeUndefined();
		expect(sha256(storedBytesOf(world(), result))).toBe(sha256(bytes));
		expect(puts(world()).map(({ status }) => status)).toEqual([503, 503, 200]);
		expect(logLines(world(), 'warn', 'retrying from the first byte')).toHaveLength(2);
	});

	it('is sent again from the first byte after a reset halfway, bytes intact', async () => {
		const bytes = randomFile(4 * MIB);
		world().sandbox.injectFault({ kind: 'put', reset: true });

		const result = await upload(world(), bytes);

		expect(result.error).toBeUndefined();
		expect(sha256(storedBytesOf(world(), result))).toBe(sha256(bytes));
		const [cut, retry] = puts(world());
		expect(cut.completed).toBe(false);
		expect(cut.bodySize).toBeGreaterThan(0);
		expect(cut.bodySize).toBeLessThan(bytes.length);
		expect(retry).toMatchObject({ status: 200, bodySize: bytes.length });
	});

	it('goes to a freshly prepared URL when S3 says it expired, bytes intact', async () => {
		const bytes = randomFile(MIB);
		world().sandbox.injectFault({ kind: 'put', expireUploadUrl: true });

		const result = await upload(world(), bytes);

		expect(result.error).toBeUndefined();
		expect(sha256(storedBytesOf(world(), result))).toBe(sha256(bytes));
		expect(requestCount(world(), 'prepare')).toBe(2);
		expect(puts(world()).map(({ status }) => status)).toEqual([403, 200]);
		expect(logLines(world(), 'warn', 'upload URL expired')).toHaveLength(1);
	});
});

describe('the PUT, failing for good', () => {
	const world = useWorld();

	it('after SlowDown each time registers nothing, saying S3 asked to slow down', async () => {
		world().sandbox.injectFault({ kind: 'put', status: 503, count: 10 });

		const result = await upload(world(), randomFile(1024), { ...NO_WAIT, maxAttempts: 3 });

		expect(errorMessage(result)).toBe(
			'PageUp transfer step failed (HTTP 503) after 3 attempts: SlowDown: Please reduce your ' +
				'request rate.',
		);
		expect(errorDescription(result)).toContain('Temporary storage asked to slow down');
		expect(requestCount(world(), 'move')).toBe(0);
	});

	it('after the URL expired twice stops preparing new ones and names the clock', async () => {
		world().sandbox.injectFault({ kind: 'put', expireUploadUrl: true, count: 2 });

		const result = await upload(world(), randomFile(1024));

		expect(errorMessage(result)).toBe(
			'PageUp transfer step failed (HTTP 403) after 2 attempts: the upload URL expired before ' +
				'the bytes arrived',
		);
		expect(errorDescription(result)).toContain("check the n8n host's clock");
		expect(requestCount(world(), 'prepare')).toBe(2);
		expect(requestCount(world(), 'move')).toBe(0);
	});

	it('after S3 refuses the signature is not sent again, which could not help', async () => {
		world().sandbox.injectFault({
			kind: 'put',
			status: 403,
			body:
				'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code>' +
				'<Message>The request signature we calculated does not match the signature you ' +
				'provided.</Message></Error>',
		});

		const result = await upload(world(), randomFile(1024));

		expect(errorMessage(result)).toBe(
			'PageUp transfer step failed (HTTP 403): SignatureDoesNotMatch: The request signature ' +
				'we calculated does not match the signature you provided.',
		);
		expect(errorDescription(result)).toContain('a proxy between n8n and AWS may be changing');
		expect(requestCount(world(), 'put')).toBe(1);
	});
});

describe('a redirect from the upload host', () => {
	const world = useWorld();
	let redirector: Redirector;

	beforeAll(async () => (redirector = await startRedirector(307)));
	afterAll(async () => await redirector.close());

	it("is followed, sending the whole file again, never with PageUp's Authorization", async () => {
		const bytes = randomFile(MIB);
		const real = await preparedUpload(world(), 'moved-bucket.bin');
		redirector.target = real.url;
		world().sandbox.resetStats();
		world().sandbox.injectFault({
			kind: 'prepare',
			status: 200,
			body: JSON.stringify({ url: redirector.url, headers: real.headers }),
		});

		const result = await world().runNode({
			items: [fileItem('moved-bucket.bin', bytes)],
			parameters: uploadParameters({ documentCategoryId: 18 }),
		});

		expect(result.error).toBeUndefined();
		expect(sha256(storedBytesOf(world(), result))).toBe(sha256(bytes));
		expect(redirector.received).toHaveLength(1);
		expect(redirector.received[0].authorization).toBeUndefined();
		const [put] = puts(world());
		expect(put).toMatchObject({ status: 200, bodySize: bytes.length });
		expect(put.headers.authorization).toBeUndefined();
	});

	it('that loops is followed three times only, then fails clearly', async () => {
		redirector.target = redirector.url;
		world().sandbox.injectFault({
			kind: 'prepare',
			status: 200,
			body: JSON.stringify({ url: redirector.url, headers: { 'Content-Type': 'text/plain' } }),
		});
		redirector.received.splice(0);

		const result = await upload(world(), randomFile(1024));

		expect(redirector.received).toHaveLength(4);
		expect(errorMessage(result)).toBe('PageUp transfer step failed (HTTP 307)');
		expect(errorDescription(result)).toContain('redirected the upload elsewhere');
		expect(requestCount(world(), 'move')).toBe(0);
	});
});

describe('the download of a file', () => {
	const world = useWorld();
	let documentId: number;
	const bytes = randomFile(2 * MIB);

	beforeAll(async () => {
		documentId = (await upload(world(), bytes)).items[0].json.documentId as number;
	});

	async function download(options: IDataObject = NO_WAIT) {
		return await world().runNode({
			items: [{ json: {} }],
			parameters: downloadUrlParameters(documentId, { download: true, options }),
		});
	}

	it('is fetched again when the connection drops halfway, and arrives whole', async () => {
		world().sandbox.injectFault({ kind: 'get', reset: true });

		const result = await download();

		expect(result.error).toBeUndefined();
		const binary = result.items[0].binary?.data;
		expect(sha256(await world().engine.readBinary(binary!))).toBe(sha256(bytes));
		expect(requestCount(world(), 'get')).toBe(2);
	});

	it('whose link expired fails without retrying, saying to raise Expires In Seconds', async () => {
		world().sandbox.injectFault({ kind: 'get', expireUploadUrl: true });

		const result = await download();

		expect(errorMessage(result)).toBe(
			'PageUp download step failed (HTTP 403): AccessDenied: Request has expired',
		);
		expect(errorDescription(result)).toContain('raise Expires In Seconds');
		expect(requestCount(world(), 'get')).toBe(1);
	});
});
