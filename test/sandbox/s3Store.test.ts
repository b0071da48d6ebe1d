import { parseQuery, UrlSigner } from '../../sandbox/sigv4';
import {
	accessToken,
	downloadLink,
	portOf,
	prepare,
	put,
	rawHead,
	rawRequest,
	s3Code,
	uploadDocument,
	useSandbox,
} from './helpers';
import type { PreparedUpload } from './helpers';

const BYTES = Buffer.from('%PDF-1.7 a small document');

describe('the S3 store behind presigned URLs', () => {
	const sandbox = useSandbox();

	async function prepared(): Promise<PreparedUpload> {
		return prepare(sandbox(), await accessToken(sandbox()), 'cv.pdf');
	}

	async function expectRefused(response: Response, status: number, code: string) {
		const body = await response.text();
		expect({ status: response.status, code: s3Code(body) }).toEqual({ status, code });
		expect(response.headers.get('content-type')).toBe('application/xml');
		expect(sandbox().stats().uploads).toBe(0);
		return body;
	}

	it('refuses a tampered signature with 403 SignatureDoesNotMatch', async () => {
		const upload = await prepared();
		const url = new URL(upload.url);
		const signature = url.searchParams.get('X-Amz-Signature') ?? '';
		url.searchParams.set(
			'X-Amz-Signature',
			signature.replace(/^./, (c) => (c === '0' ? '1' : '0')),
		);

		await expectRefused(
			await put({ ...upload, url: url.toString() }, BYTES),
			403,
			'SignatureDoesNotMatch',
		);
	});

	it('refuses a changed signed header (Content-Type) with 403 SignatureDoesNotMatch', async () => {
		const upload = await prepared();

		const response = await put(upload, BYTES, { 'Content-Type': 'application/octet-stream' });

		await expectRefused(response, 403, 'SignatureDoesNotMatch');
	});

	it('refuses a PUT that leaves out a signed header with 403 SignatureDoesNotMatch', async () => {
		const upload = await prepared();
		const response = await fetch(upload.url, {
			method: 'PUT',
			headers: { 'Content-Type': upload.headers['Content-Type'] },
			body: BYTES,
		});

		await expectRefused(response, 403, 'SignatureDoesNotMatch');
	});

	it('refuses an x-amz- header the URL did not sign with 403 AccessDenied', async () => {
		const upload = await prepared();

		const response = await put(upload, BYTES, { 'x-amz-meta-owner': 'someone' });

		const body = await expectRefused(response, 403, 'AccessDenied');
		expect(body).toContain('headers present in the request which were not signed');
	});

	it('refuses a URL whose expiry was stretched with 403 SignatureDoesNotMatch', async () => {
		const upload = await prepared();
		const url = new URL(upload.url);
		url.searchParams.set('X-Amz-Expires', '3600');

		const response = await put({ ...upload, url: url.toString() }, BYTES);

		await expectRefused(response, 403, 'SignatureDoesNotMatch');
	});

	it('refuses the URL for another key or method with 403 SignatureDoesNotMatch', async () => {
		const upload = await prepared();
		const otherKey = upload.url.replace('/cv.pdf?', '/other.pdf?');

		const wrongKey = await put({ ...upload, url: otherKey }, BYTES);
		const wrongMethod = await fetch(upload.url, { headers: upload.headers });

		await expectRefused(wrongKey, 403, 'SignatureDoesNotMatch');
		await expectRefused(wrongMethod, 403, 'SignatureDoesNotMatch');
	});

	it('refuses an expired URL with 403 AccessDenied "Request has expired"', async () => {
		sandbox().setOptions({ uploadUrlLifetimeSeconds: 1 });
		const upload = await prepared();
		// The URL's date is whole seconds, so one second of life ends within two.
		await new Promise((resolve) => setTimeout(resolve, 2100));

		const body = await expectRefused(await put(upload, BYTES), 403, 'AccessDenied');

		expect(body).toContain('<Message>Request has expired</Message>');
	});

	it('refuses an Authorization header beside the signature with 400 InvalidArgument', async () => {
		const upload = await prepared();

		const response = await put(upload, BYTES, { Authorization: 'Bearer some-pageup-token' });

		const body = await expectRefused(response, 400, 'InvalidArgument');
		expect(body).toContain('Only one auth mechanism allowed');
	});

	it('refuses a chunked PUT with 501 NotImplemented, as S3 does', async () => {
		const upload = await prepared();
		const body = new ReadableStream<Uint8Array>({
			start(controller) {
				controller.enqueue(new Uint8Array(BYTES));
				controller.close();
			},
		});

		const response = await fetch(upload.url, {
			method: 'PUT',
			headers: upload.headers,
			body,
			duplex: 'half',
		});

		const xml = await expectRefused(response, 501, 'NotImplemented');
		expect(xml).toContain('<Header>Transfer-Encoding</Header>');
	});

	it('refuses a PUT without Content-Length with 411 MissingContentLength', async () => {
		const upload = await prepared();

		const response = await rawRequest(
			portOf(upload.url),
			rawHead('PUT', upload.url, upload.headers),
		);

		expect(response.status).toBe(411);
		expect(s3Code(response.body)).toBe('MissingContentLength');
	});

	it('answers a body shorter than its Content-Length with 400 IncompleteBody', async () => {
		const upload = await prepared();
		const head = rawHead('PUT', upload.url, { ...upload.headers, 'Content-Length': '100' });

		const response = await rawRequest(portOf(upload.url), head, 'x'.repeat(40), true);

		expect(response.status).toBe(400);
		expect(s3Code(response.body)).toBe('IncompleteBody');
		expect(sandbox().stats().uploads).toBe(0);
	});

	it('refuses more than 5 GiB with 400 EntityTooLarge before reading the body', async () => {
		const upload = await prepared();
		const head = rawHead('PUT', upload.url, {
			...upload.headers,
			'Content-Length': String(5 * 1024 ** 3 + 1),
		});

		const response = await rawRequest(portOf(upload.url), head);

		expect(response.status).toBe(400);
		expect(s3Code(response.body)).toBe('EntityTooLarge');
	});

	it('refuses a request without a query signature with 403 AccessDenied', async () => {
		const upload = await prepared();

		const response = await put({ ...upload, url: upload.url.split('?')[0] }, BYTES);

		await expectRefused(response, 403, 'AccessDenied');
	});

	it('answers an unknown bucket with 404 NoSuchBucket', async () => {
		const upload = await prepared();

		const response = await put(
			{ ...upload, url: upload.url.replace('/pageup-sandbox-documents/', '/elsewhere/') },
			BYTES,
		);

		await expectRefused(response, 404, 'NoSuchBucket');
	});

	it('answers a download link whose object was replaced with 404 NoSuchKey', async () => {
		const token = await accessToken(sandbox());
		const documentId = await uploadDocument(sandbox(), token, 'cv.pdf', BYTES);
		const link = (await (await downloadLink(sandbox(), token, documentId)).json()) as {
			downloadUrl: string;
		};
		await uploadDocument(sandbox(), token, 'cv.pdf', Buffer.from('newer'), { id: documentId });

		const response = await fetch(link.downloadUrl);

		expect(response.status).toBe(404);
		expect(s3Code(await response.text())).toBe('NoSuchKey');
	});
});

describe('the SigV4 query-signature check', () => {
	// AWS's own published example of a presigned GET (S3 API Reference, "Authenticating
	// Requests: Using Query Parameters"), so the check does not merely agree with itself.
	const example = {
		signer: new UrlSigner({
			keys: {
				accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
				secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
			},
			bucket: 'examplebucket',
			hostname: 'examplebucket.s3.amazonaws.com',
			port: 443,
			region: 'us-east-1',
		}),
		query:
			'X-Amz-Algorithm=AWS4-HMAC-SHA256' +
			'&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
			'&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
			'&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
		headers: { host: 'examplebucket.s3.amazonaws.com' },
		during: Date.parse('2013-05-24T12:00:00Z'),
	};

	it("accepts AWS's documented example signature", async () => {
		const refusal = await example.signer.refusal(
			{
				method: 'GET',
				rawPath: '/test.txt',
				query: parseQuery(example.query),
				headers: example.headers,
			},
			example.during,
		);

		expect(refusal).toBeUndefined();
	});

	it('refuses the same example for another path, and once it has expired', async () => {
		const request = {
			method: 'GET',
			rawPath: '/test2.txt',
			query: parseQuery(example.query),
			headers: example.headers,
		};

		const otherPath = await example.signer.refusal(request, example.during);
		const expired = await example.signer.refusal(
			{ ...request, rawPath: '/test.txt' },
			Date.parse('2013-05-25T00:00:01Z'),
		);

		expect(otherPath?.code).toBe('SignatureDoesNotMatch');
		expect(expired).toMatchObject({ code: 'AccessDenied', message: 'Request has expired' });
	});
});
