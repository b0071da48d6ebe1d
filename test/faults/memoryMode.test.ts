// n8n reads its binary-data mode once per process, so files kept in memory get a file of their own.
import type { IDataObject } from 'n8n-workflow';

import { fileItem, sha256, uploadParameters } from '../support/pageup';
import { NO_WAIT, randomFile, useWorld } from './support';

const world = useWorld({ binaryDataMode: 'default' });

const MIB = 1024 * 1024;

async function upload(bytes: Buffer) {
	return await world().runNode({
		items: [fileItem('recording.bin', bytes)],
		parameters: uploadParameters({ documentCategoryId: 18, options: NO_WAIT }),
	});
}

function storedBytes(result: { items: Array<{ json: IDataObject }> }) {
	return world().sandbox.readDocument(result.items[0].json.documentId as number);
}

describe('the PUT of a file that n8n keeps in memory', () => {
	it('is held in memory, not on disk, in this file', async () => {
		const result = await upload(randomFile(16));
		expect(result.run.data.resultData.runData.Files[0].data?.main[0]?.[0].binary?.data.id).toBe(
			undefined,
		);
	});

	it('is sent again whole after S3 503 SlowDown, and the bytes arrive intact', async () => {
		const bytes = randomFile(2 * MIB);
		world().sandbox.injectFault({ kind: 'put', status: 503 });

		const result = await upload(bytes);

		expect(result.error).toBeUndefined();
		expect(sha256(storedBytes(result))).toBe(sha256(bytes));
	});

	it('is sent again whole after the connection drops halfway, bytes intact', async () => {
		const bytes = randomFile(4 * MIB);
		world().sandbox.injectFault({ kind: 'put', reset: true });

		const result = await upload(bytes);

		expect(result.error).toBeUndefined();
		expect(sha256(storedBytes(result))).toBe(sha256(bytes));
		const [cut] = world()
			.sandbox.requests()
			.filter(({ kind }) => kind === 'put');
		expect(cut.bodySize).toBeLessThan(bytes.length);
	});

	it('goes to a freshly prepared URL when the first one expired, bytes intact', async () => {
		const bytes = randomFile(MIB);
		world().sandbox.injectFault({ kind: 'put', expireUploadUrl: true });

		const result = await upload(bytes);

		expect(result.error).toBeUndefined();
		expect(sha256(storedBytes(result))).toBe(sha256(bytes));
	});
});
