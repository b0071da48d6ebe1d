// PageUp answering 200 with something other than what the node needs from it.
import { downloadUrlParameters, errorMessage, fileItem, uploadParameters } from '../support/pageup';
import { errorDescription, logLines, requestCount, useWorld } from './support';

const world = useWorld();

const PROXY_PAGE = '<html><body><h1>Service temporarily unavailable</h1></body></html>';

const html = { 'Content-Type': 'text/html; charset=utf-8' };

let documentId: number;

beforeAll(async () => {
	const result = await world().runNode({
		items: [fileItem('position.txt', 'senior engineer')],
		parameters: uploadParameters(),
	});
	documentId = result.items[0].json.documentId as number;
});

async function upload() {
	return await world().runNode({
		items: [fileItem('cv.txt', 'a resume')],
		parameters: uploadParameters(),
	});
}

async function downloadLink() {
	return await world().runNode({
		items: [{ json: {} }],
		parameters: downloadUrlParameters(documentId),
	});
}

describe('a prepare answer', () => {
	it.each([
		['an HTML page', PROXY_PAGE, html],
		['JSON without a url', JSON.stringify({ headers: { 'Content-Type': 'text/plain' } }), {}],
		['a url that is not http(s)', JSON.stringify({ url: 'ftp://bucket/cv.txt', headers: {} }), {}],
		['an empty body', '', {}],
	])('that is %s fails the upload before any byte is sent', async (_, body, headers) => {
		world().sandbox.injectFault({ kind: 'prepare', status: 200, body, headers });

		const result = await upload();

		expect(errorMessage(result)).toMatch(
			/^PageUp prepare step failed: the answer holds no upload URL/,
		);
		expect(errorDescription(result)).toContain('PageUp answered without an upload URL');
		expect(requestCount(world(), 'put')).toBe(0);
		expect(requestCount(world(), 'move')).toBe(0);
	});

	it('whose headers could not be sent as HTTP headers fails before any byte is sent', async () => {
		world().sandbox.injectFault({
			kind: 'prepare',
			status: 200,
			body: JSON.stringify({
				url: `${world().sandbox.s3Url}/bucket/cv.txt`,
				headers: { 'Content-Type': 'text/plain\r\nX-Smuggled: yes' },
			}),
		});

		const result = await upload();

		expect(errorMessage(result)).toBe(
			'PageUp transfer step failed: PageUp\'s upload header "Content-Type" is not a valid ' +
				'HTTP header',
		);
		expect(requestCount(world(), 'put')).toBe(0);
	});
});

describe('a download link answer', () => {
	it('that is an HTML page fails with an error showing the start of what came back', async () => {
		world().sandbox.injectFault({ kind: 'link', status: 200, body: PROXY_PAGE, headers: html });

		const result = await downloadLink();

		expect(errorMessage(result)).toBe(
			'PageUp download link step failed: the answer holds no download URL: it was text that ' +
				'is not JSON ("<html><body><h1>Service temporarily unavailable</h1></body><…")',
		);
		expect(errorDescription(result)).toContain('give this message to PageUp support');
	});

	it('that echoes a signature or a bearer token shows neither in the error', async () => {
		world().sandbox.injectFault({
			kind: 'link',
			status: 200,
			body: 'Bearer 3q2-7w_secret-token ?X-Amz-Signature=0123456789abcdef&X-Amz-Date=1',
			headers: { 'Content-Type': 'text/plain' },
		});

		const result = await downloadLink();

		expect(errorMessage(result)).toBe(
			'PageUp download link step failed: the answer holds no download URL: it was text that ' +
				'is not JSON ("Bearer … ?X-Amz-Signature=…&X-Amz-Date=1")',
		);
	});

	it('that is JSON without a URL fails, listing the fields that came back', async () => {
		world().sandbox.injectFault({
			kind: 'link',
			status: 200,
			body: JSON.stringify({ documentId, expires: '2030-01-01T00:00:00Z', link: 42 }),
		});

		const result = await downloadLink();

		expect(errorMessage(result)).toBe(
			'PageUp download link step failed: the answer holds no download URL: it was a JSON ' +
				'object with documentId (number), expires (string), link (number)',
		);
	});

	it('that is empty fails saying the answer was empty', async () => {
		world().sandbox.injectFault({ kind: 'link', status: 200, body: '' });

		const result = await downloadLink();

		expect(errorMessage(result)).toBe(
			'PageUp download link step failed: the answer holds no download URL: it was an empty answer',
		);
	});
});

describe('a registration answer', () => {
	it('without a document id still reports the upload, passes the answer on and warns', async () => {
		world().sandbox.injectFault({
			kind: 'move',
			status: 200,
			afterEffect: true,
			body: JSON.stringify({ status: 'queued' }),
		});

		const result = await upload();

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ documentId: null, pageUp: { status: 'queued' } });
		expect(logLines(world(), 'warn', 'names no document ID')).toHaveLength(1);
	});
});
