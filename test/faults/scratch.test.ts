import { downloadUrlParameters, errorMessage, fileItem, startWorld, uploadParameters, type World } from '../support/pageup';

let world: World;
beforeAll(async () => { world = await startWorld(); });
afterAll(async () => { await world.close(); });

it('scratch', async () => {
	const up = await world.runNode({ items: [fileItem('cv.pdf', 'hello')], parameters: uploadParameters() });
	console.log(JSON.stringify(up.items, null, 1), errorMessage(up));
	const id = up.items[0].json.documentId;
	const link = await world.runNode({ items: [{ json: {} }], parameters: downloadUrlParameters(id, { download: true }) });
	console.log(JSON.stringify(link.items.map(i => i.json), null, 1), errorMessage(link));
	world.sandbox.injectFault({ kind: 'prepare', status: 500, count: 10 });
	const bad = await world.runNode({ items: [fileItem('cv.pdf', 'hello')], parameters: uploadParameters({ options: { maxRetryWaitSeconds: 0 } }) });
	console.log(errorMessage(bad), bad.error?.description, JSON.stringify(bad.run.data.resultData.error));
	const both = await world.runNode({ items: [fileItem('cv.pdf', 'hello')], parameters: uploadParameters({ documentCategoryId: 7, documentCategoryName: 'Cover Letter' }) });
	console.log('both', errorMessage(both), JSON.stringify(both.items.map(i => i.json)));
	console.log(world.engine.logger.records.map(r => `${r.level} ${r.message} ${JSON.stringify(r.metadata)}`).join('\n'));
});
