// Registering the document (moveFromTemp) must never file it twice by retrying blindly.
import type { IDataObject } from 'n8n-workflow';

import { errorMessage, fileItem, sha256, uploadParameters } from '../support/pageup';
import { errorDescription, NO_WAIT, requestCount, useWorld } from './support';

const world = useWorld();

const documentCount = () => world().sandbox.documents().length;

async function upload(fileName: string, content: string, additionalFields: IDataObject = {}) {
	return await world().runNode({
		items: [fileItem(fileName, content)],
		parameters: uploadParameters({ additionalFields, options: NO_WAIT }),
	});
}

describe('a new document whose registration', () => {
	it('worked but answered 500 is not sent again: one document, and a clear error', async () => {
		const before = documentCount();
		world().sandbox.injectFault({ kind: 'move', status: 500, afterEffect: true });

		const result = await upload('moved-then-500.txt', 'filed once');

		expect(requestCount(world(), 'move')).toBe(1);
		expect(documentCount()).toBe(before + 1);
		expect(errorMessage(result)).toBe(
			'PageUp register step failed (HTTP 500): An error has occurred.',
		);
		expect(errorDescription(result)).toBe(
			'Register document (moveFromTemp). PageUp may or may not have registered the document ' +
				'(HTTP 500), so the request was not sent again: a repeat could file it twice. The ' +
				"file's bytes wait in PageUp's temporary storage as physicalFile " +
				'"moved-then-500.txt". Check the record in PageUp before running this item again.',
		);
	});

	it.each([500, 502, 504])(
		'failed with %i is not sent again: no document, and the same warning',
		async (status) => {
			const before = documentCount();
			world().sandbox.injectFault({ kind: 'move', status });

			const result = await upload(`failed-${status}.txt`, 'not filed');

			expect(requestCount(world(), 'move')).toBe(1);
			expect(documentCount()).toBe(before);
			expect(errorMessage(result)).toMatch(
				new RegExp(`^PageUp register step failed \\(HTTP ${status}\\): `),
			);
			expect(errorDescription(result)).toContain('PageUp may or may not have registered');
			expect(errorDescription(result)).toContain(`physicalFile "failed-${status}.txt"`);
		},
	);

	it('lost its connection is not sent again; the error says the outcome is unknown', async () => {
		const before = documentCount();
		world().sandbox.injectFault({ kind: 'move', reset: true });

		const result = await upload('reset.txt', 'not filed');

		expect(requestCount(world(), 'move')).toBe(1);
		expect(documentCount()).toBe(before);
		expect(errorMessage(result)).toBe('PageUp register step failed (the connection was reset)');
		expect(errorDescription(result)).toContain(
			'PageUp may or may not have registered the document (the connection was reset)',
		);
	});

	it.each([429, 503])(
		'was turned away with %i is sent again, and exactly one document is filed',
		async (status) => {
			const before = documentCount();
			world().sandbox.injectFault({ kind: 'move', status });

			const result = await upload(`turned-away-${status}.txt`, 'filed once');

			expect(result.error).toBeUndefined();
			expect(requestCount(world(), 'move')).toBe(2);
			expect(documentCount()).toBe(before + 1);
			const document = world().sandbox.document(result.items[0].json.documentId as number);
			expect(document?.sha256).toBe(sha256('filed once'));
		},
	);

	it('is always turned away fails after Max Attempts, not claiming it may exist', async () => {
		const before = documentCount();
		world().sandbox.injectFault({ kind: 'move', status: 503, count: 10 });

		const result = await upload('always-503.txt', 'not filed');

		expect(requestCount(world(), 'move')).toBe(4);
		expect(documentCount()).toBe(before);
		expect(errorMessage(result)).toContain('(HTTP 503) after 4 attempts');
		expect(errorDescription(result)).not.toContain('may or may not');
	});

	it('fails with continue-on-fail gives an item naming the file in storage', async () => {
		world().sandbox.injectFault({ kind: 'move', status: 500 });

		const result = await world().runNode({
			items: [fileItem('kept.txt', 'bytes in storage')],
			parameters: uploadParameters(),
			continueOnFail: true,
		});

		expect(result.items).toEqual([
			{
				json: expect.objectContaining({
					error: 'PageUp register step failed (HTTP 500): An error has occurred.',
					step: 'register',
					httpCode: '500',
					physicalFile: 'kept.txt',
					bytesInTemporaryStorage: true,
				}),
				pairedItem: { item: 0 },
			},
		]);
	});
});

describe('a replacement (Replace Document ID given)', () => {
	let documentId: number;

	beforeEach(async () => {
		const first = await upload('replace-me.txt', 'version 1');
		documentId = first.items[0].json.documentId as number;
		world().sandbox.resetStats();
	});

	it('that failed with 500 is sent again, since replacing twice is replacing once', async () => {
		const before = documentCount();
		world().sandbox.injectFault({ kind: 'move', status: 500 });

		const result = await upload('replace-me.txt', 'version 2', { replaceDocumentId: documentId });

		expect(result.error).toBeUndefined();
		expect(requestCount(world(), 'move')).toBe(2);
		expect(documentCount()).toBe(before);
		expect(world().sandbox.readDocument(documentId).toString()).toBe('version 2');
	});

	it('that worked but answered 500 is sent again; the refusal after is explained', async () => {
		world().sandbox.injectFault({ kind: 'move', status: 500, afterEffect: true });

		const result = await upload('replace-me.txt', 'version 2', { replaceDocumentId: documentId });

		expect(requestCount(world(), 'move')).toBe(2);
		expect(world().sandbox.readDocument(documentId).toString()).toBe('version 2');
		expect(errorMessage(result)).toMatch(
			/^PageUp register step failed \(HTTP 400\) after 2 attempts: physicalFile: /,
		);
		expect(errorDescription(result)).toContain(
			'An earlier attempt ended without a clear answer (HTTP 500), so PageUp may already have ' +
				'carried it out and this answer may only reflect that.',
		);
	});
});
