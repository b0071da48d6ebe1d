import { randomBytes } from 'node:crypto';

import {
	accessToken,
	downloadLink,
	moveFromTemp,
	portOf,
	prepare,
	prepareAndPut,
	prepareResponse,
	put,
	sha256,
	uploadDocument,
	useSandbox,
} from './helpers';

interface LinkAnswer {
	downloadUrl: string;
}

describe('prepareTempDirectUpload', () => {
	const sandbox = useSandbox();

	it('answers a path-style presigned PUT URL that signs the headers it returns', async () => {
		const token = await accessToken(sandbox());

		const upload = await prepare(sandbox(), token, 'cv.pdf');

		const url = new URL(upload.url);
		expect(url.origin).toBe(sandbox().s3Url);
		expect(portOf(upload.url)).not.toBe(portOf(sandbox().apiUrl));
		expect(url.pathname).toMatch(/^\/pageup-sandbox-documents\/temp\/[0-9a-f-]{36}\/cv\.pdf$/);
		expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
		expect(url.searchParams.get('X-Amz-Credential')).toMatch(
			/^\w+\/\d{8}\/ap-southeast-2\/s3\/aws4_request$/,
		);
		expect(url.searchParams.get('X-Amz-Expires')).toBe('1800');
		expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe(
			'content-type;host;x-amz-server-side-encryption',
		);
		expect(upload.headers).toEqual({
			'Content-Type': 'application/pdf',
			'x-amz-server-side-encryption': 'AES256',
		});
		expect(upload.fileName).toBe('cv.pdf');
	});

	it('gives each prepared upload its own key, even for the same file name', async () => {
		const token = await accessToken(sandbox());

		const first = await prepare(sandbox(), token, 'cv.pdf');
		const second = await prepare(sandbox(), token, 'cv.pdf');

		expect(new URL(first.url).pathname).not.toBe(new URL(second.url).pathname);
	});

	it('infers Content-Type from the extension, and takes contentType when given', async () => {
		const token = await accessToken(sandbox());
		const typeOf = async (fileName: string, contentType?: string): Promise<string> =>
			(await prepare(sandbox(), token, fileName, contentType)).headers['Content-Type'];

		expect(await typeOf('cv.PDF')).toBe('application/pdf');
		expect(await typeOf('letter.docx')).toBe(
			'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
		);
		expect(await typeOf('notes.txt')).toBe('text/plain');
		expect(await typeOf('no-extension')).toBe('application/octet-stream');
		expect(await typeOf('notes.txt', 'text/markdown')).toBe('text/markdown');
	});

	it('lives as long as uploadUrlLifetimeSeconds says', async () => {
		sandbox().setOptions({ uploadUrlLifetimeSeconds: 120 });
		const token = await accessToken(sandbox());

		const upload = await prepare(sandbox(), token, 'cv.pdf');

		expect(new URL(upload.url).searchParams.get('X-Amz-Expires')).toBe('120');
	});

	it.each([
		['missing', undefined],
		['empty', ''],
		['blank', '   '],
		['longer than 255 bytes', `${'ü'.repeat(127)}.pdf`],
		['a path with /', 'folder/cv.pdf'],
		['a path with \\', 'folder\\cv.pdf'],
		['a dot segment', '..'],
	])('refuses a fileName that is %s with 400 naming fileName', async (_case, fileName) => {
		const token = await accessToken(sandbox());

		const response = await prepareResponse(
			sandbox(),
			token,
			fileName === undefined ? {} : { fileName },
		);

		expect(response.status).toBe(400);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		expect(await response.json()).toEqual([{ message: expect.any(String), field: 'fileName' }]);
	});

	it('accepts a fileName of exactly 255 bytes', async () => {
		const token = await accessToken(sandbox());
		const fileName = `${'a'.repeat(251)}.pdf`;

		const response = await prepareResponse(sandbox(), token, { fileName });

		expect(response.status).toBe(200);
	});
});

describe('a presigned upload and its download link', () => {
	const sandbox = useSandbox();

	it('stores bytes PUT with the returned headers; the link serves the same bytes', async () => {
		const token = await accessToken(sandbox());
		const bytes = randomBytes(256 * 1024);

		const upload = await prepare(sandbox(), token, 'cv.pdf');
		const stored = await put(upload, bytes);
		const documentId = await moveAndLink();

		expect(stored.status).toBe(200);
		expect(stored.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
		expect(sandbox().document(documentId)).toMatchObject({
			size: bytes.length,
			sha256: sha256(bytes),
			contentType: 'application/pdf',
		});
		const link = (await (await downloadLink(sandbox(), token, documentId)).json()) as LinkAnswer;
		const download = await fetch(link.downloadUrl);
		const downloaded = Buffer.from(await download.arrayBuffer());
		expect(download.status).toBe(200);
		expect(download.headers.get('content-type')).toBe('application/pdf');
		expect(download.headers.get('content-length')).toBe(String(bytes.length));
		expect(download.headers.get('content-disposition')).toContain('filename="cv.pdf"');
		expect(sha256(downloaded)).toBe(sha256(bytes));

		async function moveAndLink(): Promise<number> {
			const moved = await moveFromTemp(sandbox(), token, {
				title: 'CV',
				fileName: 'cv.pdf',
				physicalFile: 'cv.pdf',
				documentCategoryId: 7,
			});
			return ((await moved.json()) as { documentId: number }).documentId;
		}
	});

	it('handles a file name with unicode, spaces and the characters SigV4 encodes', async () => {
		const token = await accessToken(sandbox());
		const fileName = "Lebenslauf Müller – 履歴書 (final) it's*!.pdf";
		const bytes = Buffer.from('a résumé');

		const documentId = await uploadDocument(sandbox(), token, fileName, bytes);

		const link = (await (await downloadLink(sandbox(), token, documentId)).json()) as LinkAnswer;
		const download = await fetch(link.downloadUrl);
		expect(download.status).toBe(200);
		expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
		expect(sandbox().document(documentId)?.fileName).toBe(fileName);
		expect(download.headers.get('content-disposition')).toContain(
			"filename*=UTF-8''Lebenslauf%20M%C3%BCller",
		);
	});

	it('keeps concurrent uploads apart', async () => {
		const token = await accessToken(sandbox());
		const files = Array.from({ length: 12 }, (_, index) => ({
			fileName: `file-${index}.bin`,
			bytes: randomBytes(64 * 1024 + index),
		}));

		const ids = await Promise.all(
			files.map((file) => uploadDocument(sandbox(), token, file.fileName, file.bytes)),
		);

		ids.forEach((id, index) => {
			expect(sha256(sandbox().readDocument(id))).toBe(sha256(files[index].bytes));
		});
		expect(sandbox().stats().uploads).toBe(files.length);
	});

	it('streams a large body to disk and hashes it on the way', async () => {
		const token = await accessToken(sandbox());
		const bytes = randomBytes(48 * 1024 * 1024);

		await prepareAndPut(sandbox(), token, 'big.bin', bytes);
		const documentId = await uploadedDocumentId();

		expect(sandbox().document(documentId)).toMatchObject({
			size: bytes.length,
			sha256: sha256(bytes),
		});

		async function uploadedDocumentId(): Promise<number> {
			const moved = await moveFromTemp(sandbox(), token, {
				title: 'Big',
				fileName: 'big.bin',
				physicalFile: 'big.bin',
				documentCategoryId: 18,
			});
			return ((await moved.json()) as { documentId: number }).documentId;
		}
	});
});
