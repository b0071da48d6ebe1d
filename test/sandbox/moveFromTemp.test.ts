import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import {
	accessToken,
	bearer,
	moveFromTemp,
	prepare,
	prepareAndPut,
	put,
	sha256,
	uploadDocument,
	useSandbox,
} from './helpers';

const BYTES = Buffer.from('%PDF-1.7 curriculum vitae');

interface FieldError {
	message: string;
	field?: string;
}

describe('moveFromTemp', () => {
	const sandbox = useSandbox();
	let token: string;

	beforeEach(async () => {
		token = await accessToken(sandbox());
	});

	/** A move body for a file that has been prepared and PUT. */
	async function uploadedMove(fields: Record<string, unknown> = {}) {
		await prepareAndPut(sandbox(), token, 'cv.pdf', BYTES);
		return { title: 'CV', fileName: 'cv.pdf', physicalFile: 'cv.pdf', ...fields };
	}

	async function expectFieldError(response: Response, status: number, field: string) {
		expect(response.status).toBe(status);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		const errors = (await response.json()) as FieldError[];
		expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
		return errors;
	}

	it('moves an uploaded file into a new document, numbered from 1001', async () => {
		const body = await uploadedMove({ documentCategoryId: 7, applicantId: 12, jobId: 34 });

		const response = await moveFromTemp(sandbox(), token, body);

		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ documentId: 1001, title: 'CV', fileName: 'cv.pdf' });
		expect(sandbox().document(1001)).toMatchObject({
			id: 1001,
			title: 'CV',
			fileName: 'cv.pdf',
			physicalFile: 'cv.pdf',
			documentCategoryId: 7,
			links: { applicantId: 12, jobId: 34 },
			size: BYTES.length,
			sha256: sha256(BYTES),
			contentType: 'application/pdf',
			replacedCount: 0,
		});
		expect(sandbox().readDocument(1001).toString()).toBe(BYTES.toString());
	});

	it('numbers each new document one higher', async () => {
		const first = await uploadDocument(sandbox(), token, 'a.pdf', BYTES);
		const second = await uploadDocument(sandbox(), token, 'b.pdf', BYTES);

		expect([first, second]).toEqual([1001, 1002]);
	});

	it('answers a bare document id when set to', async () => {
		sandbox().setOptions({ moveFromTempAnswer: 'number' });

		const response = await moveFromTemp(
			sandbox(),
			token,
			await uploadedMove({ documentCategoryId: 7 }),
		);

		expect(await response.text()).toBe('1001');
	});

	it('accepts each system document category id', async () => {
		for (const documentCategoryId of [7, 10, 13, 14, 17, 18, 19]) {
			const response = await moveFromTemp(
				sandbox(),
				token,
				await uploadedMove({ documentCategoryId }),
			);
			expect(response.status).toBe(200);
		}
	});

	it('accepts a tenant category by name, whatever its case', async () => {
		const body = await uploadedMove({ documentCategoryName: 'cover letter' });

		const response = await moveFromTemp(sandbox(), token, body);

		expect(response.status).toBe(200);
		expect(sandbox().document(1001)?.documentCategoryName).toBe('Cover Letter');
	});

	it('refuses both category fields, saying only one can be passed', async () => {
		const body = await uploadedMove({
			documentCategoryId: 7,
			documentCategoryName: 'Cover Letter',
		});

		const errors = await expectFieldError(
			await moveFromTemp(sandbox(), token, body),
			400,
			'documentCategoryId',
		);

		expect(errors[0].message).toMatch(/only one/i);
	});

	it('refuses a move with neither category field', async () => {
		const response = await moveFromTemp(sandbox(), token, await uploadedMove());

		await expectFieldError(response, 400, 'documentCategoryId');
	});

	it.each([8, 0, '7', 7.5])('refuses documentCategoryId %p', async (documentCategoryId) => {
		const response = await moveFromTemp(
			sandbox(),
			token,
			await uploadedMove({ documentCategoryId }),
		);

		await expectFieldError(response, 400, 'documentCategoryId');
	});

	it('refuses a category name the tenant does not have', async () => {
		const body = await uploadedMove({ documentCategoryName: 'Police Check' });

		await expectFieldError(await moveFromTemp(sandbox(), token, body), 400, 'documentCategoryName');
	});

	it.each(['title', 'fileName', 'physicalFile'])('requires %s', async (field) => {
		const body: Record<string, unknown> = await uploadedMove({ documentCategoryId: 7 });
		delete body[field];

		await expectFieldError(await moveFromTemp(sandbox(), token, body), 400, field);
	});

	it.each(['id', 'providerID', 'applicationId', 'applicantId', 'jobId', 'offerId'])(
		'refuses %s unless it is a positive integer number',
		async (field) => {
			for (const value of ['12', 1.5, 0, -3, true]) {
				const body = await uploadedMove({ documentCategoryId: 7, [field]: value });
				await expectFieldError(await moveFromTemp(sandbox(), token, body), 400, field);
			}
		},
	);

	it('keeps every link id it is given', async () => {
		const links = { providerID: 1, applicationId: 2, applicantId: 3, jobId: 4, offerId: 5 };

		await moveFromTemp(sandbox(), token, await uploadedMove({ documentCategoryId: 7, ...links }));

		expect(sandbox().document(1001)?.links).toEqual(links);
	});

	it('refuses a physicalFile that was prepared but never PUT', async () => {
		await prepare(sandbox(), token, 'cv.pdf');

		const response = await moveFromTemp(sandbox(), token, {
			title: 'CV',
			fileName: 'cv.pdf',
			physicalFile: 'cv.pdf',
			documentCategoryId: 7,
		});

		const errors = await expectFieldError(response, 400, 'physicalFile');
		expect(errors[0].message).toContain('was not uploaded');
	});

	it('refuses a physicalFile that was never prepared', async () => {
		await prepareAndPut(sandbox(), token, 'cv.pdf', BYTES);

		const response = await moveFromTemp(sandbox(), token, {
			title: 'CV',
			fileName: 'cv.pdf',
			physicalFile: 'other.pdf',
			documentCategoryId: 7,
		});

		const errors = await expectFieldError(response, 400, 'physicalFile');
		expect(errors[0].message).toContain('was not uploaded');
	});

	it('refuses to move the same upload twice, so a blind retry fails', async () => {
		const body = await uploadedMove({ documentCategoryId: 7 });

		const first = await moveFromTemp(sandbox(), token, body);
		const retry = await moveFromTemp(sandbox(), token, body);

		expect(first.status).toBe(200);
		await expectFieldError(retry, 400, 'physicalFile');
		expect(sandbox().documents()).toHaveLength(1);
	});

	it('takes the oldest uploaded of several pending uploads with the same name', async () => {
		const older = await prepare(sandbox(), token, 'cv.pdf');
		const newer = await prepare(sandbox(), token, 'cv.pdf');
		await put(newer, Buffer.from('uploaded first'));
		await put(older, Buffer.from('uploaded second'));
		const body = { title: 'CV', fileName: 'cv.pdf', physicalFile: 'cv.pdf', documentCategoryId: 7 };

		await moveFromTemp(sandbox(), token, body);
		await moveFromTemp(sandbox(), token, body);

		expect(sandbox().readDocument(1001).toString()).toBe('uploaded first');
		expect(sandbox().readDocument(1002).toString()).toBe('uploaded second');
	});

	it('replaces the content and metadata of the document named by id, keeping the id', async () => {
		const documentId = await uploadDocument(sandbox(), token, 'cv.pdf', BYTES, { jobId: 9 });
		const newer = Buffer.from('second version');
		await prepareAndPut(sandbox(), token, 'cv-v2.docx', newer);

		const response = await moveFromTemp(sandbox(), token, {
			id: documentId,
			title: 'CV, revised',
			fileName: 'cv-v2.docx',
			physicalFile: 'cv-v2.docx',
			documentCategoryName: 'Reference Check',
		});

		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({ documentId });
		expect(sandbox().documents()).toHaveLength(1);
		expect(sandbox().document(documentId)).toMatchObject({
			title: 'CV, revised',
			fileName: 'cv-v2.docx',
			documentCategoryName: 'Reference Check',
			links: {},
			sha256: sha256(newer),
			replacedCount: 1,
		});
		expect(sandbox().document(documentId)?.documentCategoryId).toBeUndefined();
		expect(sandbox().readDocument(documentId).toString()).toBe('second version');
	});

	it('answers 404 naming id when the document to replace does not exist', async () => {
		const body = await uploadedMove({ documentCategoryId: 7, id: 4242 });

		await expectFieldError(await moveFromTemp(sandbox(), token, body), 404, 'id');
	});

	it('takes JSON only', async () => {
		const response = await fetch(`${sandbox().apiRootUrl}/moveFromTemp`, {
			method: 'POST',
			headers: { ...bearer(token), 'Content-Type': 'application/x-www-form-urlencoded' },
			body: 'title=CV',
		});
		const broken = await fetch(`${sandbox().apiRootUrl}/moveFromTemp`, {
			method: 'POST',
			headers: { ...bearer(token), 'Content-Type': 'application/json' },
			body: '{"title":',
		});

		expect(response.status).toBe(415);
		expect(broken.status).toBe(400);
		expect(await broken.json()).toEqual([{ message: expect.stringContaining('not valid JSON') }]);
	});
});

describe('a sandbox that does not keep uploaded bytes', () => {
	const sandbox = useSandbox({ keepUploadedBytes: false });

	it("records each document's size and SHA-256, writes no file, and has nothing to read", async () => {
		const token = await accessToken(sandbox());
		const id = await uploadDocument(sandbox(), token, 'cv.pdf', BYTES);

		expect(sandbox().document(id)).toMatchObject({ size: BYTES.length, sha256: sha256(BYTES) });
		expect(readdirSync(join(sandbox().dataDir, 'objects'))).toHaveLength(0);
		expect(readdirSync(join(sandbox().dataDir, 'incoming'))).toHaveLength(0);
		expect(() => sandbox().readDocument(id)).toThrow(`The sandbox holds no document ${id}.`);
	});
});
