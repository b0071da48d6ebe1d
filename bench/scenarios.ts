// The four scenarios. Each starts its own sandbox and worker, interleaves the node's runs with
// the baseline's, and states its bars.
import { join } from 'node:path';

import { DEFAULT_CONCURRENCY } from '../nodes/PageUpDocument/actions/options';
import { startSandbox, type Sandbox, type SandboxOptions, type SandboxStats } from '../sandbox';
import { writeRandomFile, writeSmallFiles } from './files';
import type { Job, JobResult, UploadFile } from './protocol';
import { median, shown, type Bar, type Measure, type ScenarioReport } from './report';
import { WorkerProcess } from './workerProcess';

export interface BenchContext {
	runs: number;
	/** Temporary folder for the input files, removed by the caller. */
	folder: string;
	/** The size of scenario 1's upload. */
	uploadBytes: number;
	/** The concurrencies scenario 3 sweeps, 1 and 8 always among them. */
	levels: number[];
	log: (line: string) => void;
}

interface World {
	sandbox: Sandbox;
	worker: WorkerProcess;
}

const MiB = 1024 ** 2;

async function withWorld<T>(options: SandboxOptions, use: (world: World) => Promise<T>) {
	const sandbox = await startSandbox(options);
	let worker: WorkerProcess | undefined;
	try {
		worker = await WorkerProcess.start(sandbox.credentials);
		return await use({ sandbox, worker });
	} finally {
		await worker?.stop();
		await sandbox.close();
	}
}

interface Measured {
	result: JobResult;
	stats: SandboxStats;
}

/** Runs one job on zeroed sandbox counters; a failed execution stops the scenario. */
async function measure(world: World, job: Job): Promise<Measured> {
	world.sandbox.resetStats();
	const result = await world.worker.run(job);
	if (result.error !== undefined) throw new Error(`${job.runner} ${job.kind}: ${result.error}`);
	return { result, stats: world.sandbox.stats() };
}

/**
 * Runs every variant once per run, starting each run at a different variant, so that a slow
 * moment of the shared machine does not always fall on the same one.
 */
async function interleaved<K extends string>(
	context: BenchContext,
	variants: Record<K, Job>,
	world: World,
): Promise<Record<K, Measured[]>> {
	const names = Object.keys(variants) as K[];
	const measured = Object.fromEntries(names.map((name) => [name, []])) as unknown as Record<
		K,
		Measured[]
	>;
	for (let run = 0; run < context.runs; run++) {
		for (let step = 0; step < names.length; step++) {
			const name = names[(run + step) % names.length];
			const outcome = await measure(world, variants[name]);
			measured[name].push(outcome);
			context.log(`  run ${run + 1} ${name}: ${shown(outcome.result.ms)} ms`);
		}
	}
	return measured;
}

const pairwise = (a: number[], b: number[], combine: (x: number, y: number) => number) =>
	a.map((value, index) => combine(value, b[index]));

const msOf = (runs: Measured[]) => runs.map(({ result }) => result.ms);

const perSecond = (count: number, runs: Measured[]) => msOf(runs).map((ms) => (count * 1000) / ms);

function concurrencyLabel(concurrency: number | undefined) {
	return concurrency === undefined ? `default (${DEFAULT_CONCURRENCY})` : String(concurrency);
}

/** Documents to link to, added through the API before any timing. */
async function seedDocuments(world: World, context: BenchContext, count: number) {
	const files = await writeSmallFiles(context.folder, `seed-${Date.now()}`, count, 1024);
	const { result } = await measure(world, {
		kind: 'upload',
		runner: 'baseline',
		files,
		concurrency: 8,
	});
	const ids = result.documentIds.filter((id): id is number => id !== null);
	if (ids.length !== count) throw new Error(`seeding made ${ids.length} of ${count} documents`);
	// A fixed shuffle: output order then has to be kept, not merely sorted back.
	return ids
		.map((id, index) => ({ id, key: (index * 7919) % count }))
		.sort((a, b) => a.key - b.key)
		.map(({ id }) => id);
}

export async function largeUpload(context: BenchContext): Promise<ScenarioReport> {
	const started = performance.now();
	const bytes = context.uploadBytes;
	const file: UploadFile = {
		path: join(context.folder, 'large-upload.pdf'),
		fileName: 'large-upload.pdf',
	};
	context.log(`  writing ${bytes / MiB} MiB of random bytes`);
	const sha256 = await writeRandomFile(file.path, bytes);
	const warmUp: UploadFile = { path: join(context.folder, 'warm-up.pdf'), fileName: 'warm-up.pdf' };
	await writeRandomFile(warmUp.path, 4 * MiB);

	return await withWorld({}, async (world) => {
		for (const runner of ['node', 'baseline'] as const) {
			await measure(world, { kind: 'upload', runner, files: [warmUp], concurrency: 1 });
		}
		const upload = (runner: 'node' | 'baseline'): Job => ({
			kind: 'upload',
			runner,
			files: [file],
			concurrency: 1,
			measureMemory: true,
		});
		const measured = await interleaved(
			context,
			{ node: upload('node'), baseline: upload('baseline') },
			world,
		);

		const storedRight = [...measured.node, ...measured.baseline].every(({ result }) => {
			const stored = world.sandbox.document(result.documentIds[0] ?? 0);
			return stored?.size === bytes && stored.sha256 === sha256;
		});
		const memoryOf = (runs: Measured[], which: 'peakBytes' | 'kernelPeakBytes') =>
			runs.map(({ result }) => {
				const memory = result.memory;
				const peak = memory?.[which];
				return memory === undefined || peak === undefined
					? Number.NaN
					: (peak - memory.beforeBytes) / MiB;
			});
		const ratio = pairwise(msOf(measured.node), msOf(measured.baseline), (n, b) => n / b);
		const nodeMemory = memoryOf(measured.node, 'peakBytes');
		const nodeKernelMemory = memoryOf(measured.node, 'kernelPeakBytes');
		const measures: Measure[] = [
			{ name: 'node: time', unit: 'ms', values: msOf(measured.node) },
			{ name: 'baseline: time', unit: 'ms', values: msOf(measured.baseline) },
			{ name: 'node time / baseline time (paired by run)', unit: 'ratio', values: ratio },
			{ name: 'node: throughput', unit: 'MB/s', values: perSecond(bytes / 1e6, measured.node) },
			{
				name: 'baseline: throughput',
				unit: 'MB/s',
				values: perSecond(bytes / 1e6, measured.baseline),
			},
			{
				name: 'node: peak RSS above RSS before (20 ms samples, during the node)',
				unit: 'MiB',
				values: nodeMemory,
			},
			{
				name: 'node: VmHWM above RSS before (whole execution, file source included)',
				unit: 'MiB',
				values: nodeKernelMemory,
			},
			{
				name: 'baseline: peak RSS above RSS before',
				unit: 'MiB',
				values: memoryOf(measured.baseline, 'peakBytes'),
			},
			{
				name: 'node: RSS before the execution',
				unit: 'MiB',
				values: measured.node.map(({ result }) => (result.memory?.beforeBytes ?? Number.NaN) / MiB),
			},
		];
		const bars: Bar[] = [
			{
				text: 'node time / baseline time ≤ 1.25',
				measured: `median ${shown(median(ratio))}, highest ${shown(Math.max(...ratio))}`,
				met: median(ratio) <= 1.25,
			},
			{
				text: 'peak RSS during the upload ≤ 64 MiB above the level before it',
				measured: `highest ${shown(Math.max(...nodeMemory))} MiB sampled, ${shown(Math.max(...nodeKernelMemory))} MiB by VmHWM`,
				met: Math.max(...nodeMemory, ...nodeKernelMemory) <= 64,
			},
			{
				text: "the stored document has the file's size and SHA-256",
				measured: storedRight ? 'every run' : 'a run stored different bytes',
				met: storedRight,
			},
		];
		return {
			id: 1,
			title: `One ${shown(bytes / MiB)} MiB upload`,
			setup:
				`One file of ${bytes} random bytes, streamed by a file source into n8n's filesystem ` +
				"binary storage, then uploaded by the node (concurrency 1). Time is the node's own " +
				'execution time as n8n records it. Baseline: Node http, token, prepare, PUT streaming ' +
				'the same file with the returned headers and Content-Length, moveFromTemp, in the ' +
				"same worker process. Memory: the worker's RSS after a GC just before the execution, " +
				'against the highest 20 ms sample of process.memoryUsage.rss() while the node ran, ' +
				'and against /proc/self/status VmHWM (reset through clear_refs) over the execution.',
			measures,
			bars,
			notes: [],
			seconds: (performance.now() - started) / 1000,
		};
	});
}

export async function manySmallUploads(context: BenchContext): Promise<ScenarioReport> {
	const started = performance.now();
	const count = 500;
	const files = await writeSmallFiles(context.folder, 'small', count, 64 * 1024);
	const warmUpFiles = files.slice(0, 20);

	return await withWorld({}, async (world) => {
		for (const runner of ['node', 'baseline'] as const) {
			await measure(world, { kind: 'upload', runner, files: warmUpFiles, concurrency: 8 });
		}
		const node = (concurrency?: number): Job => ({
			kind: 'upload',
			runner: 'node',
			files,
			concurrency,
		});
		const measured = await interleaved(
			context,
			{
				'node c1': node(1),
				'node default': node(undefined),
				'node c8': node(8),
				baseline: { kind: 'upload', runner: 'baseline', files, concurrency: 1 },
			},
			world,
		);
		const nodeRuns = [...measured['node c1'], ...measured['node default'], ...measured['node c8']];
		const tokenRequests = nodeRuns.map(({ stats }) => stats.tokenRequests);
		const allStored = [...nodeRuns, ...measured.baseline].every(
			({ stats, result }) => stats.uploads === count && result.orderErrors === 0,
		);
		const c8 = perSecond(count, measured['node c8']);
		const baseline = perSecond(count, measured.baseline);
		const c1 = msOf(measured['node c1']);
		const measures: Measure[] = [
			{
				name: 'node, concurrency 1',
				unit: 'items/s',
				values: perSecond(count, measured['node c1']),
			},
			{
				name: `node, concurrency ${concurrencyLabel(undefined)}`,
				unit: 'items/s',
				values: perSecond(count, measured['node default']),
			},
			{ name: 'node, concurrency 8', unit: 'items/s', values: c8 },
			{ name: 'baseline, one by one', unit: 'items/s', values: baseline },
			{
				name: 'node c8 items/s / baseline items/s (paired)',
				unit: 'ratio',
				values: pairwise(c8, baseline, (n, b) => n / b),
			},
			{
				name: 'node c1 time / baseline time (paired)',
				unit: 'ratio',
				values: pairwise(c1, msOf(measured.baseline), (n, b) => n / b),
			},
			{
				name: "node c1: time per item above the baseline's",
				unit: 'ms',
				values: pairwise(c1, msOf(measured.baseline), (n, b) => (n - b) / count),
			},
			{
				name: 'node c8: worker CPU per item',
				unit: 'ms',
				values: measured['node c8'].map(({ result }) => result.cpuMs / count),
			},
			{
				name: 'baseline: client CPU per item',
				unit: 'ms',
				values: measured.baseline.map(({ result }) => result.cpuMs / count),
			},
			{
				name: 'node c8: worker busy (CPU time / node time)',
				unit: 'share',
				values: measured['node c8'].map(({ result }) => result.cpuMs / result.ms),
			},
			{ name: 'token requests per node execution', unit: 'requests', values: tokenRequests },
			{
				name: 'node c8: most PUTs in flight',
				unit: 'requests',
				values: measured['node c8'].map(({ stats }) => stats.maxInFlightByKind.put),
			},
		];
		const bars: Bar[] = [
			{
				text: 'exactly one token request per execution',
				measured: `token requests per execution: ${[...new Set(tokenRequests)].join(', ')}`,
				met: tokenRequests.every((requests) => requests === 1),
			},
			{
				text: 'node at concurrency 8 beats the sequential baseline',
				measured: `median ${shown(median(c8))} against ${shown(median(baseline))} items/s`,
				met: median(c8) > median(baseline),
			},
			{
				text: 'every run stored all 500 documents, output in input order',
				measured: allStored ? 'yes' : 'no',
				met: allStored,
			},
		];
		return {
			id: 2,
			title: '500 uploads of 64 KiB in one execution',
			setup:
				`${count} files of 64 KiB from disk through a file source into filesystem binary ` +
				'storage, one PageUp Document execution uploading them all; sandbox latency 0. ' +
				'Baseline: the minimal client doing token once, then prepare, PUT, moveFromTemp per ' +
				'file, one by one.',
			measures,
			bars,
			notes: [],
			seconds: (performance.now() - started) / 1000,
		};
	});
}

export async function downloadUrls(context: BenchContext): Promise<ScenarioReport> {
	const started = performance.now();
	const count = 1000;
	const latencyMs = 20;

	return await withWorld({}, async (world) => {
		const ids = await seedDocuments(world, context, count);
		world.sandbox.setOptions({ latencyMs });
		await measure(world, {
			kind: 'downloadUrl',
			runner: 'node',
			documentIds: ids.slice(0, 50),
			concurrency: 8,
		});

		const variants: Record<string, Job> = {};
		for (const level of context.levels) {
			variants[`node c${level}`] = {
				kind: 'downloadUrl',
				runner: 'node',
				documentIds: ids,
				concurrency: level,
			};
		}
		variants['baseline c8'] = {
			kind: 'downloadUrl',
			runner: 'baseline',
			documentIds: ids,
			concurrency: 8,
		};
		const measured = await interleaved(context, variants, world);

		const t1 = msOf(measured['node c1']);
		const t8 = msOf(measured['node c8']);
		const measures: Measure[] = context.levels.map((level) => ({
			name: `node, concurrency ${level}: time`,
			unit: 'ms',
			values: msOf(measured[`node c${level}`]),
		}));
		measures.push(
			{ name: 'baseline, 8 lanes: time', unit: 'ms', values: msOf(measured['baseline c8']) },
			{
				name: 'node c8 time / node c1 time (paired)',
				unit: 'ratio',
				values: pairwise(t8, t1, (a, b) => a / b),
			},
			{
				name: 'node c8 time / baseline 8 lanes (paired)',
				unit: 'ratio',
				values: pairwise(t8, msOf(measured['baseline c8']), (a, b) => a / b),
			},
			...context.levels.map((level) => ({
				name: `node, concurrency ${level}: speed-up over concurrency 1 (paired)`,
				unit: '×',
				values: pairwise(t1, msOf(measured[`node c${level}`]), (a, b) => a / b),
			})),
			...context.levels.map((level) => ({
				name: `node, concurrency ${level}: most API calls in flight`,
				unit: 'requests',
				values: measured[`node c${level}`].map(({ stats }) => stats.maxInFlight),
			})),
		);
		const c8Ratio = median(pairwise(t8, t1, (a, b) => a / b));
		const inFlight = measured['node c8'].map(({ stats }) => stats.maxInFlight);
		const nodeRuns = context.levels.flatMap((level) => measured[`node c${level}`]);
		const orderErrors = nodeRuns.reduce((sum, { result }) => sum + result.orderErrors, 0);
		const bars: Bar[] = [
			{
				text: 'concurrency 8 takes ≤ 1/5 of the time of concurrency 1',
				measured: `median ratio ${shown(c8Ratio)}`,
				met: c8Ratio <= 0.2,
			},
			{
				text: 'the sandbox never sees more than 8 calls in flight at concurrency 8',
				measured: `most in flight: ${Math.max(...inFlight)}`,
				met: Math.max(...inFlight) <= 8,
			},
			{
				text: 'output order equals input order (documentId and pairedItem per index)',
				measured: `${orderErrors} items out of place in ${nodeRuns.length} executions`,
				met: orderErrors === 0,
			},
		];
		return {
			id: 3,
			title: '1,000 Get Download URL items, 20 ms per API call',
			setup:
				`${count} documents uploaded through the API first (latency 0), then sandbox latency ` +
				`${latencyMs} ms per call; the ${count} items ask for the documents in a shuffled ` +
				'order. Stats are reset before every run. Baseline: the minimal client, token once ' +
				'then the link calls in 8 lanes.',
			measures,
			bars,
			notes: [
				`At ${latencyMs} ms a call, one lane cannot do better than ${shown(count * latencyMs)} ms and ` +
					`eight lanes no better than ${shown((count * latencyMs) / 8)} ms.`,
			],
			seconds: (performance.now() - started) / 1000,
		};
	});
}

export async function tokenLifetime(context: BenchContext): Promise<ScenarioReport> {
	const started = performance.now();
	const lifetimeSeconds = 3;
	const latencyMs = 25;
	const itemsPerLane = 360;
	const levels = [1, undefined, 8];

	return await withWorld({}, async (world) => {
		const ids = await seedDocuments(world, context, 100);
		world.sandbox.setOptions({ latencyMs, tokenLifetimeSeconds: lifetimeSeconds });

		const variants: Record<string, Job> = {};
		for (const level of levels) {
			const items = itemsPerLane * (level ?? DEFAULT_CONCURRENCY);
			variants[`node c${concurrencyLabel(level)}`] = {
				kind: 'downloadUrl',
				runner: 'node',
				documentIds: Array.from({ length: items }, (_, index) => ids[index % ids.length]),
				concurrency: level,
			};
		}
		const measured = await interleaved(context, variants, world);

		const measures: Measure[] = [];
		const bars: Bar[] = [];
		for (const level of levels) {
			const label = concurrencyLabel(level);
			const runs = measured[`node c${label}`];
			const lifetimes = runs.map(({ result }) => result.ms / 1000 / lifetimeSeconds);
			const rejected = runs.map(({ stats }) => stats.rejectedApiCalls);
			const perLifetime = pairwise(rejected, lifetimes, (r, l) => r / l);
			measures.push(
				{
					name: `concurrency ${label}: run time`,
					unit: 's',
					values: runs.map(({ result }) => result.ms / 1000),
				},
				{
					name: `concurrency ${label}: token lifetimes in the run`,
					unit: 'lifetimes',
					values: lifetimes,
				},
				{
					name: `concurrency ${label}: token requests`,
					unit: 'requests',
					values: runs.map(({ stats }) => stats.tokenRequests),
				},
				{ name: `concurrency ${label}: rejected API calls (401)`, unit: 'calls', values: rejected },
				{
					name: `concurrency ${label}: rejected calls per lifetime`,
					unit: 'calls',
					values: perLifetime,
				},
			);
			if (level === 8) continue;
			bars.push({
				text: `at most one rejected call per token lifetime, concurrency ${label}`,
				measured: `highest ${shown(Math.max(...perLifetime))} per lifetime (${rejected.join(', ')} rejected)`,
				met: Math.max(...perLifetime) <= 1,
			});
		}
		return {
			id: 4,
			title: `Token lifetime of ${lifetimeSeconds} s across a run of about 10 s`,
			setup:
				`Sandbox tokens live ${lifetimeSeconds} s and every API call (token included) takes ` +
				`${latencyMs} ms; Get Download URL for ${itemsPerLane} items per lane (so ` +
				`${itemsPerLane} at concurrency 1), each execution starting with no stored token. ` +
				'Lifetimes in the run = run time / token lifetime.',
			measures,
			bars,
			notes: ['Concurrency 8 is shown for reference; the bar applies to 1 and the default.'],
			seconds: (performance.now() - started) / 1000,
		};
	});
}

export const SCENARIOS: Record<number, (context: BenchContext) => Promise<ScenarioReport>> = {
	1: largeUpload,
	2: manySmallUploads,
	3: downloadUrls,
	4: tokenLifetime,
};
