import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	errorMessage,
	fileItem,
	sha256,
	startWorld,
	uploadParameters,
	type World,
} from '../support/pageup';

/** Writes a file of pseudo-random bytes, a chunk at a time, and returns its checksum. */
async function writeFile(path: string, size: number): Promise<string> {
	const chunk = randomBytes(1024 * 1024);
	const out = createWriteStream(path);
	const hash = createHash('sha256');
	for (let written = 0; written < size; written += chunk.length) {
		const part = chunk.subarray(0, Math.min(chunk.length, size - written));
		hash.update(part);
		if (!out.write(part)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
	}
	await new Promise<void>((resolve) => out.end(() => resolve()));
	return hash.digest('hex');
}

describe('Upload', () => {
	let world: World;

	beforeAll(async () => {
		world = await startWorld();
	});

	afterAll(async () => await world.close());

	beforeEach(() => world.sandbox.resetStats());

	it('files a small document in PageUp with the bytes, title and category given', async () => {
		const result = await world.runNode({
			items: [fileItem('jane-doe-resume.txt', 'Jane Doe, engineer')],
			parameters: uploadParameters({ title: 'Resume of Jane Doe', documentCategoryId: 7 }),
		});

		expect(result.error).toBeUndefined();
		const [item] = result.items;
		const document = world.sandbox.document(item.json.documentId as number);
		expect(document).toMatchObject({
			title: 'Resume of Jane Doe',
			fileName: 'jane-doe-resume.txt',
			physicalFile: 'jane-doe-resume.txt',
			documentCategoryId: 7,
			size: 18,
			sha256: sha256('Jane Doe, engineer'),
		});
		expect(item.json).toMatchObject({
			documentId: document?.id,
			title: 'Resume of Jane Doe',
			fileName: 'jane-doe-resume.txt',
			fileSize: 18,
			documentCategoryId: 7,
			pageUp: { documentId: document?.id },
		});
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it("defaults the file name to the binary's name and the title to the file name", async () => {
		const result = await world.runNode({
			items: [fileItem('cover letter.pdf', 'Dear team')],
			parameters: uploadParameters(),
		});
		const document = world.sandbox.document(result.items[0].json.documentId as number);
		expect(document).toMatchObject({ fileName: 'cover letter.pdf', title: 'cover letter.pdf' });
	});

	it('PUTs with Content-Length and the signed headers, and without Authorization', async () => {
		await world.runNode({
			items: [fileItem('note.txt', 'twelve bytes')],
			parameters: uploadParameters(),
		});

		const [put] = world.sandbox.requests().filter(({ kind }) => kind === 'put');
		expect(put.status).toBe(200);
		expect(put.headers['content-length']).toBe('12');
		expect(put.headers['content-type']).toBe('text/plain');
		expect(put.headers['x-amz-server-side-encryption']).toBe('AES256');
		expect(put.headers.authorization).toBeUndefined();
		expect(put.headers['transfer-encoding']).toBeUndefined();
	});

	it('links the document to the applicant, application, job and offer given', async () => {
		const result = await world.runNode({
			items: [fileItem('offer.pdf', 'offer letter')],
			parameters: uploadParameters({
				documentCategoryId: 18,
				additionalFields: {
					applicantId: 501,
					applicationId: 601,
					jobId: 701,
					offerId: 801,
					providerId: 901,
				},
			}),
		});
		const document = world.sandbox.document(result.items[0].json.documentId as number);
		expect(document?.links).toEqual({
			applicantId: 501,
			applicationId: 601,
			jobId: 701,
			offerId: 801,
			providerID: 901,
		});
	});

	it('files under a tenant category by name when System Category is None', async () => {
		const result = await world.runNode({
			items: [fileItem('reference.txt', 'glowing')],
			parameters: uploadParameters({
				documentCategoryId: 0,
				documentCategoryName: 'Reference Check',
			}),
		});
		expect(result.error).toBeUndefined();
		const document = world.sandbox.document(result.items[0].json.documentId as number);
		expect(document?.documentCategoryName).toBe('Reference Check');
		expect(document?.documentCategoryId).toBeUndefined();
		expect(result.items[0].json.documentCategoryName).toBe('Reference Check');
	});

	it('replaces an existing document, keeping its id', async () => {
		const first = await world.runNode({
			items: [fileItem('cv.txt', 'version 1')],
			parameters: uploadParameters(),
		});
		const documentId = first.items[0].json.documentId as number;

		const second = await world.runNode({
			items: [fileItem('cv.txt', 'version 2')],
			parameters: uploadParameters({ additionalFields: { replaceDocumentId: documentId } }),
		});

		expect(second.items[0].json).toMatchObject({ documentId, replacedDocumentId: documentId });
		expect(world.sandbox.readDocument(documentId).toString()).toBe('version 2');
		expect(world.sandbox.document(documentId)?.replacedCount).toBe(1);
	});

	it('refuses both category fields at once before sending any request', async () => {
		const result = await world.runNode({
			items: [fileItem('cv.txt', 'x')],
			parameters: uploadParameters({
				documentCategoryId: 7,
				documentCategoryName: 'Reference Check',
			}),
		});
		expect(errorMessage(result)).toContain('System Category and Tenant Category Name are both set');
		expect(world.sandbox.requests()).toHaveLength(0);
	});

	it("shows PageUp's own error messages when it refuses the document", async () => {
		const result = await world.runNode({
			items: [fileItem('cv.txt', 'x')],
			parameters: uploadParameters({
				documentCategoryId: 0,
				documentCategoryName: 'No Such Category',
			}),
		});
		expect(errorMessage(result)).toMatch(
			/^PageUp register step failed \(HTTP 400\): documentCategoryName: /,
		);
		expect(result.error?.description).toContain('moveFromTemp');
	});

	it('gives one error item per failed input with continue-on-fail, and carries on', async () => {
		const result = await world.runNode({
			items: [
				fileItem('good.txt', 'fine'),
				{ json: { note: 'no file here' } },
				fileItem('also-good.txt', 'fine too'),
			],
			parameters: uploadParameters(),
			continueOnFail: true,
		});
		expect(result.items.map(({ pairedItem }) => pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(result.items[0].json.documentId).toEqual(expect.any(Number));
		expect(result.items[1].json.error).toContain('item 1 has no binary field "data"');
		expect(result.items[2].json.documentId).toEqual(expect.any(Number));
	});

	describe('a 200 MB file kept on disk by n8n', () => {
		const folder = mkdtempSync(join(tmpdir(), 'pageup-big-'));
		const path = join(folder, 'recording.bin');

		afterAll(() => rmSync(folder, { recursive: true, force: true }));

		it("arrives whole, streamed from n8n's binary storage", async () => {
			const size = 200 * 1024 * 1024;
			const checksum = await writeFile(path, size);

			const result = await world.runNode({
				items: [{ files: { data: { path, fileName: 'recording.bin' } } }],
				parameters: uploadParameters({ documentCategoryId: 18 }),
			});

			expect(result.error).toBeUndefined();
			const document = world.sandbox.document(result.items[0].json.documentId as number);
			expect(document).toMatchObject({ size, sha256: checksum });
			const [put] = world.sandbox.requests().filter(({ kind }) => kind === 'put');
			expect(put.headers['content-length']).toBe(String(size));
		});
	});
});
