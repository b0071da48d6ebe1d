import {
	downloadUrlParameters,
	errorMessage,
	fileItem,
	sha256,
	startWorld,
	uploadParameters,
	type World,
} from '../support/pageup';

describe('Get Download URL', () => {
	let world: World;
	let documentId: number;
	const content = 'Position description: senior engineer';

	beforeAll(async () => {
		world = await startWorld();
		const upload = await world.runNode({
			items: [fileItem('position.txt', content)],
			parameters: uploadParameters({ documentCategoryId: 14 }),
		});
		documentId = upload.items[0].json.documentId as number;
	});

	afterAll(async () => await world.close());

	beforeEach(() => world.sandbox.resetStats());

	it('returns a link that serves the document, with its expiry in seconds and as a time', async () => {
		const before = Date.now();
		const result = await world.runNode({
			items: [{ json: {} }],
			parameters: downloadUrlParameters(documentId, { expiresInSeconds: 120 }),
		});

		const [item] = result.items;
		expect(item.json).toMatchObject({ documentId, expiresInSeconds: 120, url: expect.any(String) });
		expect(item.json.pageUp).toMatchObject({ documentId, downloadUrl: item.json.url });
		const expiresAt = Date.parse(String(item.json.expiresAt));
		expect(expiresAt).toBeGreaterThanOrEqual(before + 119_000);
		expect(expiresAt).toBeLessThanOrEqual(Date.now() + 121_000);
		const response = await fetch(String(item.json.url));
		expect(await response.text()).toBe(content);
	});

	it.each([10, 300])('accepts an expiry of %i seconds', async (expiresInSeconds) => {
		const result = await world.runNode({
			items: [{ json: {} }],
			parameters: downloadUrlParameters(documentId, { expiresInSeconds }),
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.expiresInSeconds).toBe(expiresInSeconds);
		const [link] = world.sandbox.requests().filter(({ kind }) => kind === 'link');
		expect(link.path).toContain(`expiresInSeconds=${expiresInSeconds}`);
	});

	it.each([9, 301])(
		'refuses an expiry of %i seconds before asking PageUp',
		async (expiresInSeconds) => {
			const result = await world.runNode({
				items: [{ json: {} }],
				parameters: downloadUrlParameters(documentId, { expiresInSeconds }),
			});
			expect(errorMessage(result)).toBe(
				`Expires In Seconds must be a whole number from 10 to 300 (got ${expiresInSeconds})`,
			);
			expect(world.sandbox.requests()).toHaveLength(0);
		},
	);

	it('downloads the file itself into a binary field when asked, byte for byte', async () => {
		const result = await world.runNode({
			items: [{ json: {} }],
			parameters: downloadUrlParameters(documentId, {
				download: true,
				downloadPropertyName: 'attachment',
			}),
		});

		const binary = result.items[0].binary?.attachment;
		expect(binary).toMatchObject({ fileName: 'position.txt', mimeType: 'text/plain' });
		expect(sha256(await world.engine.readBinary(binary!))).toBe(sha256(content));
	});

	it("says the document was not found, with PageUp's message, for an unknown id", async () => {
		const result = await world.runNode({
			items: [{ json: {} }],
			parameters: downloadUrlParameters(999_999),
		});
		expect(errorMessage(result)).toMatch(/^PageUp download link step failed \(HTTP 404\): /);
		expect(result.error?.description).toContain('Check the document ID');
	});

	it('keeps the items in order and paired when some fail with continue-on-fail', async () => {
		const result = await world.runNode({
			items: [
				{ json: { id: documentId } },
				{ json: { id: 999_999 } },
				{ json: { id: documentId } },
			],
			parameters: downloadUrlParameters('={{ $json.id }}'),
			continueOnFail: true,
		});
		expect(result.items.map(({ json }) => json.documentId ?? json.httpCode)).toEqual([
			documentId,
			'404',
			documentId,
		]);
		expect(result.items.map(({ pairedItem }) => pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(result.items[1].json).toMatchObject({ step: 'download link', itemIndex: 1 });
	});
});
