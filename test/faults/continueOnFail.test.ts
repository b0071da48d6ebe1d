// With "continue on fail", one item's failure is that item's error item, and the others go on.
import { downloadUrlParameters, errorMessage, fileItem, uploadParameters } from '../support/pageup';
import { requestCount, runWithCredential, useWorld } from './support';

const world = useWorld();

// Each item picks its own category, so that one of them can be refused by PageUp.
const perItemCategory = uploadParameters({
	documentCategoryId: '={{ $json.categoryId ?? 7 }}',
	documentCategoryName: '={{ $json.categoryName ?? "" }}',
});

describe('with continue-on-fail', () => {
	it('items failing at different steps give error items in place; the rest upload', async () => {
		// The first item runs alone, so the first registration is item 0's.
		world().sandbox.injectFault({ kind: 'move', status: 500 });
		const before = world().sandbox.documents().length;

		const result = await world().runNode({
			items: [
				fileItem('item-0.txt', 'refused by a failing PageUp'),
				{ json: { note: 'no file' } },
				fileItem('item-2.txt', 'fine'),
				fileItem('item-3.txt', 'unknown category', {
					categoryId: 0,
					categoryName: 'No Such Category',
				}),
				fileItem('item-4.txt', 'fine too'),
			],
			parameters: perItemCategory,
			continueOnFail: true,
		});

		expect(result.error).toBeUndefined();
		expect(result.items.map(({ pairedItem }) => pairedItem)).toEqual(
			[0, 1, 2, 3, 4].map((item) => ({ item })),
		);
		const [failedMove, noFile, second, refused, fourth] = result.items.map(({ json }) => json);
		expect(failedMove).toMatchObject({
			error: 'PageUp register step failed (HTTP 500): An error has occurred.',
			description: expect.stringContaining('may or may not have registered'),
			step: 'register',
			httpCode: '500',
			physicalFile: 'item-0.txt',
			itemIndex: 0,
		});
		expect(noFile).toMatchObject({
			error: 'Input Binary Field: item 1 has no binary field "data"',
			description: expect.stringContaining('no binary data'),
			itemIndex: 1,
		});
		expect(refused).toMatchObject({
			error: expect.stringMatching(
				/^PageUp register step failed \(HTTP 400\): documentCategoryName: /,
			),
			step: 'register',
			httpCode: '400',
			messages: [expect.stringContaining('No Such Category')],
			itemIndex: 3,
		});
		expect(second.documentId).toEqual(expect.any(Number));
		expect(fourth.documentId).toEqual(expect.any(Number));
		expect(world().sandbox.documents()).toHaveLength(before + 2);
	});

	it('an S3 failure is an error item too, and the next item uploads', async () => {
		world().sandbox.injectFault({ kind: 'put', status: 403 });

		const result = await world().runNode({
			items: [fileItem('refused.txt', 'x'), fileItem('accepted.txt', 'y')],
			parameters: uploadParameters(),
			continueOnFail: true,
		});

		expect(result.items[0]).toEqual({
			json: expect.objectContaining({
				error: 'PageUp transfer step failed (HTTP 403): AccessDenied: Access Denied',
				step: 'transfer',
			}),
			pairedItem: { item: 0 },
		});
		expect(result.items[1].json.documentId).toEqual(expect.any(Number));
		expect(requestCount(world(), 'move')).toBe(1);
	});

	it('a refused client secret gives every item its own error item', async () => {
		const result = await runWithCredential(
			world(),
			{ clientSecret: 'wrong' },
			{
				items: [fileItem('a.txt', 'a'), fileItem('b.txt', 'b'), fileItem('c.txt', 'c')],
				parameters: uploadParameters(),
				continueOnFail: true,
			},
		);

		expect(result.items).toHaveLength(3);
		result.items.forEach(({ json, pairedItem }, item) => {
			expect(pairedItem).toEqual({ item });
			expect(json.error).toContain('PageUp refused the token request (invalid_client');
			expect(json.step).toBe('prepare');
		});
		expect(requestCount(world(), 'prepare')).toBe(0);
	});

	it('download links keep their order, with the failing one in its place', async () => {
		const uploaded = await world().runNode({
			items: [fileItem('linked.txt', 'x')],
			parameters: uploadParameters(),
		});
		const documentId = uploaded.items[0].json.documentId as number;
		world().sandbox.injectFault({ kind: 'link', status: 500, count: 10 });

		const result = await world().runNode({
			items: [{ json: { id: documentId } }, { json: { id: -5 } }, { json: { id: documentId } }],
			parameters: downloadUrlParameters('={{ $json.id }}', { options: { maxRetryWaitSeconds: 0 } }),
			continueOnFail: true,
		});

		const errors = result.items.map(({ json }) => json.error ?? null);
		expect(errors[0]).toBe(
			'PageUp download link step failed (HTTP 500) after 4 attempts: An error has occurred.',
		);
		expect(errors[1]).toMatch(/^Document ID must be a PageUp ID/);
		expect(errors[2]).toMatch(/^PageUp download link step failed \(HTTP 500\)/);
		expect(result.items.map(({ pairedItem }) => pairedItem)).toEqual(
			[0, 1, 2].map((item) => ({ item })),
		);
	});
});

describe('without continue-on-fail', () => {
	it('the first failing item stops the execution with an error naming the item', async () => {
		const result = await world().runNode({
			items: [fileItem('fine.txt', 'x'), { json: {} }, fileItem('never.txt', 'y')],
			parameters: uploadParameters({ options: { concurrency: 1 } }),
		});

		expect(errorMessage(result)).toBe('Input Binary Field: item 1 has no binary field "data"');
		expect(result.error?.context).toMatchObject({ itemIndex: 1 });
		expect(requestCount(world(), 'move')).toBe(1);
	});
});
