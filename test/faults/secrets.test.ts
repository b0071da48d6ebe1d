// No secret in anything a user, a log or PageUp support could see, whatever fails on the way.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { TOKEN_REQUEST_LIMITS } from '../../nodes/PageUpDocument/transport/token';
import type { FaultSpec } from '../../sandbox';
import {
	downloadUrlParameters,
	fileItem,
	startWorld,
	uploadParameters,
	type NodeRunResult,
	type World,
} from '../support/pageup';
import {
	forgetToken,
	NO_WAIT,
	preparedUpload,
	randomFile,
	runWithCredential,
	startRedirector,
	type Redirector,
} from './support';

interface Scenario {
	name: string;
	/** Whether some item or the whole run fails, as the scenario means it to. */
	fails: boolean;
	faults?: FaultSpec[];
	before?: () => Promise<void> | void;
	run: () => Promise<NodeRunResult>;
}

let world: World;
let redirector: Redirector;
let documentId: number;
const results: Array<{ name: string; result: NodeRunResult }> = [];

const upload = (parameters: IDataObject = {}, continueOnFail = false, items = 2) =>
	world.runNode({
		items: Array.from({ length: items }, (_, index) =>
			fileItem(`cv-${index}.txt`, randomFile(64 * 1024)),
		),
		parameters: uploadParameters({
			...parameters,
			options: { ...NO_WAIT, ...(parameters.options as IDataObject) },
		}),
		continueOnFail,
	});

const downloadLink = (extra: IDataObject = {}, continueOnFail = false) =>
	world.runNode({
		items: [{ json: {} }, { json: {} }],
		parameters: downloadUrlParameters(documentId, { options: NO_WAIT, ...extra }),
		continueOnFail,
	});

const scenarios: Scenario[] = [
	{
		name: 'uploads that succeed',
		fails: false,
		run: () => upload(),
	},
	{
		name: 'links and downloads that succeed',
		fails: false,
		run: () => downloadLink({ download: true }),
	},
	{
		name: 'a token endpoint failing with 500',
		fails: true,
		faults: [{ kind: 'token', status: 500, count: 3 }],
		before: () => forgetToken(world),
		run: () => upload(),
	},
	{
		name: 'a token endpoint too slow to answer',
		fails: true,
		faults: [{ kind: 'token', delayMs: 1000, count: 3 }],
		before: () => {
			forgetToken(world);
			TOKEN_REQUEST_LIMITS.timeoutMs = 200;
		},
		run: () => upload({}, true),
	},
	{
		name: 'a refused client secret',
		fails: true,
		run: () =>
			runWithCredential(
				world,
				{ clientSecret: 'wrong-secret' },
				{ items: [fileItem('a.txt', 'a')], parameters: uploadParameters(), continueOnFail: true },
			),
	},
	{
		name: 'a token revoked early',
		fails: false,
		before: () => world.sandbox.revokeTokens(),
		run: () => upload(),
	},
	{
		name: 'a second 401',
		fails: true,
		faults: [{ kind: 'prepare', status: 401, count: 2 }],
		run: () => upload(),
	},
	{
		name: 'a second 401 on links, continuing on fail',
		fails: true,
		faults: [{ kind: 'link', status: 401, count: 4 }],
		run: () => downloadLink({}, true),
	},
	{
		name: 'prepare failing with 502',
		fails: true,
		faults: [{ kind: 'prepare', status: 502, count: 10 }],
		run: () => upload(),
	},
	{
		name: 'a registration that worked but answered 500',
		fails: true,
		faults: [{ kind: 'move', status: 500, afterEffect: true }],
		run: () => upload({}, true),
	},
	{
		name: 'links turned away with 429',
		fails: true,
		faults: [{ kind: 'link', status: 429, count: 10, headers: { 'Retry-After': '0' } }],
		run: () => downloadLink({}, true),
	},
	{
		name: 'S3 SlowDown to the end',
		fails: true,
		faults: [{ kind: 'put', status: 503, count: 10 }],
		run: () => upload({}, true),
	},
	{
		name: 'a PUT cut halfway',
		fails: false,
		faults: [{ kind: 'put', reset: true }],
		run: () => upload(),
	},
	{
		name: 'upload URLs that keep expiring',
		fails: true,
		faults: [{ kind: 'put', expireUploadUrl: true, count: 2 }],
		run: () => upload({}, false, 1),
	},
	{
		name: 'S3 refusing the signature',
		fails: true,
		faults: [{ kind: 'put', status: 403 }],
		run: () => upload(),
	},
	{
		name: 'a download cut halfway, then an expired download link',
		fails: true,
		faults: [
			{ kind: 'get', reset: true },
			{ kind: 'get', expireUploadUrl: true },
		],
		run: () => downloadLink({ download: true }, true),
	},
	{
		name: 'an API that answers too slowly',
		fails: true,
		faults: [{ kind: 'move', delayMs: 2000, count: 2 }],
		run: () => upload({ options: { timeoutSeconds: 1 } }, true),
	},
	{
		name: 'answers that are not what the node needs',
		fails: true,
		faults: [
			{ kind: 'prepare', status: 200, body: '<html>proxy</html>' },
			{ kind: 'link', status: 200, body: '{"documentId": 1}' },
		],
		run: async () => {
			await upload({}, true, 1);
			return await downloadLink({}, true);
		},
	},
	{
		name: 'input refused before any request',
		fails: true,
		run: () => upload({ fileName: '../cv.txt' }),
	},
	{
		name: 'an upload host that redirects',
		fails: false,
		before: async () => {
			const real = await preparedUpload(world, 'redirected.txt');
			redirector.target = real.url;
			world.sandbox.injectFault({
				kind: 'prepare',
				status: 200,
				body: JSON.stringify({ url: redirector.url, headers: real.headers }),
			});
		},
		run: () =>
			world.runNode({
				items: [fileItem('redirected.txt', 'moved')],
				parameters: uploadParameters(),
			}),
	},
	{
		name: 'a link answered with a redirect to S3',
		fails: true,
		before: async () => {
			const link = await downloadLink();
			world.sandbox.injectFault({
				kind: 'link',
				status: 302,
				headers: { Location: String(link.items[0].json.url) },
			});
		},
		run: () => downloadLink({}, true),
	},
];

/** Every string inside a value, errors' messages, stacks, causes and extra fields included. */
function allText(value: unknown, seen = new Set<unknown>()): string {
	if (typeof value === 'string') return value;
	if (typeof value !== 'object' || value === null || seen.has(value)) return '';
	seen.add(value);
	const parts: string[] = [];
	if (value instanceof Error) {
		parts.push(value.message, value.stack ?? '', allText(value.cause, seen));
	}
	if (Buffer.isBuffer(value)) return '';
	for (const key of Object.keys(value)) {
		parts.push(key, allText((value as Record<string, unknown>)[key], seen));
	}
	return parts.join('\n');
}

/** A Get Download URL item exists to hand out its link; everything else in it is checked. */
function withoutTheLink(item: INodeExecutionData): INodeExecutionData {
	if (!('expiresAt' in item.json)) return item;
	const { url: _url, pageUp: _pageUp, ...json } = item.json;
	return { ...item, json };
}

function leaksIn(text: string): string[] {
	const { accessTokens, urlSignatures } = world.sandbox.issuedSecrets();
	const secrets = [
		['the client secret', world.sandbox.credentials.clientSecret],
		...accessTokens.map((token) => ['an access token', token]),
		...urlSignatures.map((signature) => ['a URL signature', signature]),
	];
	const found = secrets.filter(([, secret]) => text.includes(secret)).map(([kind]) => kind);
	return [...new Set(found)];
}

/** Each scenario's leaks, as "scenario: kind of secret". */
function leaks(where: (result: NodeRunResult) => unknown): string[] {
	return results.flatMap(({ name, result }) =>
		leaksIn(allText(where(result))).map((kind) => `${name}: ${kind}`),
	);
}

beforeAll(async () => {
	world = await startWorld();
	redirector = await startRedirector();
	const first = await world.runNode({
		items: [fileItem('position.txt', randomFile(256 * 1024))],
		parameters: uploadParameters(),
	});
	documentId = first.items[0].json.documentId as number;
	const { timeoutMs } = TOKEN_REQUEST_LIMITS;
	for (const scenario of scenarios) {
		world.sandbox.clearFaults();
		await scenario.before?.();
		for (const fault of scenario.faults ?? []) world.sandbox.injectFault(fault);
		results.push({ name: scenario.name, result: await scenario.run() });
		TOKEN_REQUEST_LIMITS.timeoutMs = timeoutMs;
	}
}, 120_000);

afterAll(async () => {
	await redirector.close();
	await world.close();
});

describe('across every operation, succeeding and failing', () => {
	it('the scenarios ran, failed where meant to, and handed out tokens and signed URLs', () => {
		const failed = (result: NodeRunResult) =>
			result.error !== undefined || result.items.some(({ json }) => 'error' in json);
		expect(results.map(({ name, result }) => [name, failed(result)])).toEqual(
			scenarios.map(({ name, fails }) => [name, fails]),
		);
		const { accessTokens, urlSignatures } = world.sandbox.issuedSecrets();
		expect(accessTokens.length).toBeGreaterThanOrEqual(4);
		expect(urlSignatures.length).toBeGreaterThanOrEqual(10);
	});

	it('the one place a signed URL may appear is the link a Get Download URL item returns', () => {
		const links = results.flatMap(({ result }) =>
			result.items.filter(({ json }) => 'expiresAt' in json),
		);
		expect(links.length).toBeGreaterThan(0);
		for (const link of links) expect(leaksIn(allText(link.json))).toEqual(['a URL signature']);
	});

	it('no output item holds a secret', () => {
		expect(leaks(({ items }) => items.map(withoutTheLink))).toEqual([]);
	});

	it('no error message or description holds a secret', () => {
		expect(
			leaks(({ error, items }) => [
				error?.message,
				error?.description,
				items.map(({ json }) => [json.error, json.description]),
			]),
		).toEqual([]);
	});

	it('the run data n8n keeps holds no secret, errors included', () => {
		expect(
			leaks(({ run }) => {
				const resultData = JSON.parse(JSON.stringify(run.data.resultData));
				for (const task of Object.values(resultData.runData ?? {}) as IDataObject[][]) {
					for (const { data } of task as Array<{ data?: { main?: INodeExecutionData[][] } }>) {
						data?.main?.forEach((output, index, all) => (all[index] = output.map(withoutTheLink)));
					}
				}
				return [JSON.stringify(resultData), run.data.resultData.error];
			}),
		).toEqual([]);
	});

	it('no log line holds a secret', () => {
		expect(world.engine.logger.records.length).toBeGreaterThan(100);
		expect(leaksIn(allText(world.engine.logger.records))).toEqual([]);
	});

	it('logged retries and failures at warn and error, as PageUp asks integrators to', () => {
		const levels = new Set(world.engine.logger.records.map(({ level }) => level));
		expect(levels).toEqual(expect.objectContaining(new Set(['warn', 'error'])));
	});
});

describe("PageUp's Authorization header", () => {
	it('went with every call to PageUp', () => {
		const apiCalls = world.sandbox
			.requests()
			.filter(({ kind, status }) => ['prepare', 'move', 'link'].includes(kind) && status !== 0);
		expect(apiCalls.length).toBeGreaterThan(20);
		for (const call of apiCalls) expect(call.headers.authorization).toBe('Bearer REDACTED');
	});

	it('never went to the S3 host, redirects included', () => {
		const s3Calls = world.sandbox.requests().filter(({ kind }) => kind === 'put' || kind === 'get');
		expect(s3Calls.filter(({ kind }) => kind === 'get').length).toBeGreaterThan(3);
		for (const call of s3Calls) expect(call.headers.authorization).toBeUndefined();
	});

	it('never went to a host that redirected the upload', () => {
		expect(redirector.received.length).toBeGreaterThan(0);
		for (const headers of redirector.received) expect(headers.authorization).toBeUndefined();
	});
});
