// Scenario 2: 500 small uploads in one execution: one token, and what concurrency buys.
import { writeSmallFiles } from '../files';
import type { Job } from '../protocol';
import { median, shown, type ScenarioReport } from '../report';
import {
	concurrencyLabel,
	inWorld,
	interleaved,
	measure,
	msOf,
	paired,
	perSecond,
	statsOf,
	type BenchContext,
} from './common';

const COUNT = 500;

// A second, short pass with a little latency shows what concurrency does once calls wait on
// the network, as every real PageUp call does.
const NEAR_LATENCY_MS = 5;

export async function smallUploads(context: BenchContext): Promise<ScenarioReport> {
	const files = await writeSmallFiles(context.folder, 'small', COUNT, 64 * 1024);

	// The sandbox keeps these bytes, as a real store would: 32 MiB a run is far from the
	// gigabyte writes that scenario 1 keeps out of its measure.
	return await inWorld({}, async (world) => {
		for (const runner of ['node', 'helpers', 'baseline'] as const) {
			await measure(world, { kind: 'upload', runner, files: files.slice(0, 20), concurrency: 8 });
		}
		const node = (concurrency?: number): Job => ({
			kind: 'upload',
			runner: 'node',
			files,
			concurrency,
		});
		const baseline: Job = { kind: 'upload', runner: 'baseline', files, concurrency: 1 };
		const runs = await interleaved(context, world, {
			'node c1': node(1),
			'node default': node(undefined),
			'node c8': node(8),
			'helpers c8': { ...node(8), runner: 'helpers' },
			baseline,
		});
		world.sandbox.setOptions({ latencyMs: NEAR_LATENCY_MS });
		const near = await interleaved(context, world, { 'node c8': node(8), baseline });

		const nodeRuns = [...runs['node c1'], ...runs['node default'], ...runs['node c8']];
		const tokenRequests = statsOf([...nodeRuns, ...near['node c8']], (s) => s.tokenRequests);
		const complete = [...nodeRuns, ...runs['helpers c8'], ...runs.baseline].every(
			({ stats, result }) => stats.uploads === COUNT && result.orderErrors === 0,
		);
		const c8 = perSecond(COUNT, runs['node c8']);
		const floor = perSecond(COUNT, runs['helpers c8']);
		const sequential = perSecond(COUNT, runs.baseline);
		const c1Ms = msOf(runs['node c1']);
		const baselineMs = msOf(runs.baseline);
		const cpuPerItem = (measured: typeof nodeRuns) =>
			measured.map(({ result }) => result.cpuMs / COUNT);
		return {
			id: 2,
			title: `${COUNT} uploads of 64 KiB in one execution`,
			setup:
				`${COUNT} files of 64 KiB from disk, through a file source into filesystem binary ` +
				'storage, uploaded by one PageUp Document execution; sandbox latency 0. Baseline: the ' +
				'minimal client, token once, then prepare, PUT and moveFromTemp for each file, one ' +
				"by one, on Node's keep-alive agent, reading the same copies in n8n's binary " +
				"storage. The helper floor: the same three requests through n8n's helpers alone. " +
				"CPU is the worker's user and system time while " +
				`the node (or the client) ran. Then both again with ${NEAR_LATENCY_MS} ms per API call.`,
			measures: [
				{ name: 'node, concurrency 1', unit: 'items/s', values: perSecond(COUNT, runs['node c1']) },
				{
					name: `node, concurrency ${concurrencyLabel(undefined)}`,
					unit: 'items/s',
					values: perSecond(COUNT, runs['node default']),
				},
				{ name: 'node, concurrency 8', unit: 'items/s', values: c8 },
				{
					name: "helper floor (n8n's helpers alone), concurrency 8",
					unit: 'items/s',
					values: floor,
				},
				{ name: 'baseline, one by one', unit: 'items/s', values: sequential },
				{
					name: 'node c8 / baseline (paired)',
					unit: 'ratio',
					values: paired(c8, sequential, (n, b) => n / b),
				},
				{
					name: 'node c8 / helper floor c8 (paired)',
					unit: 'ratio',
					values: paired(c8, floor, (n, f) => n / f),
				},
				{
					name: 'node c1 time / baseline time (paired)',
					unit: 'ratio',
					values: paired(c1Ms, baselineMs, (n, b) => n / b),
				},
				{ name: 'node c8: worker CPU per item', unit: 'ms', values: cpuPerItem(runs['node c8']) },
				{
					name: 'helper floor c8: worker CPU per item',
					unit: 'ms',
					values: cpuPerItem(runs['helpers c8']),
				},
				{ name: 'node c1: worker CPU per item', unit: 'ms', values: cpuPerItem(runs['node c1']) },
				{ name: 'baseline: client CPU per item', unit: 'ms', values: cpuPerItem(runs.baseline) },
				{
					name: 'node c8: sandbox CPU per item',
					unit: 'ms',
					values: runs['node c8'].map(({ sandboxCpuMs }) => sandboxCpuMs / COUNT),
				},
				{
					name: 'baseline: sandbox CPU per item',
					unit: 'ms',
					values: runs.baseline.map(({ sandboxCpuMs }) => sandboxCpuMs / COUNT),
				},
				{
					name: 'node c8: worker busy (CPU time / node time)',
					unit: 'share',
					values: runs['node c8'].map(({ result }) => result.cpuMs / result.ms),
				},
				{
					name: 'node c8: stored-credential reads per item',
					unit: 'reads',
					values: runs['node c8'].map(({ result }) => result.credentialReads / COUNT),
				},
				{ name: 'token requests per node execution', unit: 'requests', values: tokenRequests },
				{
					name: 'node c8: most PUTs in flight',
					unit: 'requests',
					values: statsOf(runs['node c8'], (s) => s.maxInFlightByKind.put),
				},
				{
					name: `at ${NEAR_LATENCY_MS} ms per API call: node, concurrency 8`,
					unit: 'items/s',
					values: perSecond(COUNT, near['node c8']),
				},
				{
					name: `at ${NEAR_LATENCY_MS} ms per API call: baseline, one by one`,
					unit: 'items/s',
					values: perSecond(COUNT, near.baseline),
				},
				{
					name: `at ${NEAR_LATENCY_MS} ms per API call: node c8 / baseline (paired)`,
					unit: 'ratio',
					values: paired(msOf(near.baseline), msOf(near['node c8']), (b, n) => b / n),
				},
			],
			bars: [
				{
					text: 'exactly one token request per execution',
					measured: `token requests per execution: ${[...new Set(tokenRequests)].join(', ')}`,
					met: tokenRequests.every((requests) => requests === 1),
				},
				{
					text: 'node at concurrency 8 beats the sequential baseline (latency 0)',
					measured: `median ${shown(median(c8))} against ${shown(median(sequential))} items/s`,
					met: median(c8) > median(sequential),
				},
				{
					text: `every run stored all ${COUNT} documents, output in input order`,
					measured: complete ? 'yes' : 'no',
					met: complete,
				},
			],
			notes: [
				'At latency 0 on 127.0.0.1 nothing waits on the network, so concurrency can only ' +
					"overlap the worker's CPU with the sandbox's on the machine's cores: the node at " +
					'concurrency 8 is as fast as its CPU per item allows.',
				"The helper floor (bench/helperFloor.ts) makes the same three requests through n8n's " +
					"helpers and does nothing else: no checks, retries or error handling. The node's " +
					"distance from it is the node's own work; its distance from the baseline is what " +
					"n8n's helpers cost per request (axios, and a new agent and TCP connection for " +
					'every request, since the helpers offer no connection reuse), against a baseline ' +
					'that reuses its connections.',
			],
		};
	});
}
