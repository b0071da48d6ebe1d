// PageUp answering too slowly; "Request Timeout (Seconds)" is at its least, one second, here.
import { downloadUrlParameters, errorMessage, fileItem, uploadParameters } from '../support/pageup';
import { errorDescription, logLines, NO_WAIT, requestCount, useWorld } from './support';

const world = useWorld();

const FAST = { ...NO_WAIT, timeoutSeconds: 1 };

// Long enough that a one-second timeout always fires first, short enough to keep the file fast.
const SLOW_MS = 2500;

async function upload(fileName: string) {
	return await world().runNode({
		items: [fileItem(fileName, 'a resume')],
		parameters: uploadParameters({ options: FAST }),
	});
}

it('a prepare answered too late is given up on and asked again; the upload works', async () => {
	world().sandbox.injectFault({ kind: 'prepare', delayMs: SLOW_MS });

	const result = await upload('slow-prepare.txt');

	expect(result.error).toBeUndefined();
	expect(requestCount(world(), 'prepare')).toBe(2);
	expect(logLines(world(), 'warn', 'retrying')[0].metadata).toMatchObject({
		step: 'prepare',
		network: 'the request timed out',
	});
});

it('a download link that times out on every attempt fails saying it timed out', async () => {
	const uploaded = await upload('for-link.txt');
	const documentId = uploaded.items[0].json.documentId as number;
	world().sandbox.resetStats();
	world().sandbox.injectFault({ kind: 'link', delayMs: SLOW_MS, count: 2 });

	const result = await world().runNode({
		items: [{ json: {} }],
		parameters: downloadUrlParameters(documentId, { options: { ...FAST, maxAttempts: 2 } }),
	});

	expect(errorMessage(result)).toBe(
		'PageUp download link step failed (the request timed out) after 2 attempts',
	);
	expect(errorDescription(result)).toContain('Check the network between n8n and PageUp');
	expect(requestCount(world(), 'link')).toBe(2);
});

it('a registration that timed out is not sent again; PageUp files it exactly once', async () => {
	const before = world().sandbox.documents().length;
	world().sandbox.injectFault({ kind: 'move', delayMs: SLOW_MS, afterEffect: true });

	const result = await upload('slow-move.txt');

	expect(errorMessage(result)).toBe('PageUp register step failed (the request timed out)');
	expect(errorDescription(result)).toContain(
		'PageUp may or may not have registered the document (the request timed out)',
	);
	expect(requestCount(world(), 'move')).toBe(1);
	// The sandbox filed the document, then held its answer past the timeout, as a slow PageUp.
	expect(world().sandbox.documents()).toHaveLength(before + 1);
});
