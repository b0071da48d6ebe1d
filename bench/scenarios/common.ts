// What every scenario shares: a sandbox and a worker per scenario, runs interleaved across
// variants, and the arithmetic that turns runs into measures.
import { loadavg } from 'node:os';

import { DEFAULT_CONCURRENCY } from '../../nodes/PageUpDocument/actions/options';
import { startSandbox, type Sandbox, type SandboxOptions, type SandboxStats } from '../../sandbox';
import { writeSmallFiles } from '../files';
import type { Job, JobResult } from '../protocol';
import { shown, type ScenarioReport } from '../report';
import { WorkerProcess } from '../workerProcess';

export const MiB = 1024 ** 2;

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

export interface World {
	sandbox: Sandbox;
	worker: WorkerProcess;
}

export interface Measured {
	result: JobResult;
	stats: SandboxStats;
	/** This process's CPU time over the job: the sandbox's share of the work. */
	sandboxCpuMs: number;
}

/** The parts of a report a scenario writes; timing and machine load are filled in for it. */
export type Findings = Omit<ScenarioReport, 'seconds' | 'loadAverage'>;

/** A fresh sandbox and worker for one scenario, closed however it ends. */
export async function inWorld(
	options: SandboxOptions,
	scenario: (world: World) => Promise<Findings>,
): Promise<ScenarioReport> {
	const started = performance.now();
	const loadAtStart = loadavg()[0];
	const sandbox = await startSandbox(options);
	let worker: WorkerProcess | undefined;
	try {
		worker = await WorkerProcess.start(sandbox.credentials);
		const findings = await scenario({ sandbox, worker });
		return {
			...findings,
			seconds: (performance.now() - started) / 1000,
			loadAverage: { start: loadAtStart, end: loadavg()[0] },
		};
	} finally {
		await worker?.stop();
		await sandbox.close();
	}
}

/** Runs one job on zeroed sandbox counters; a failed execution stops the scenario. */
export async function measure(world: World, job: Job): Promise<Measured> {
	world.sandbox.resetStats();
	const cpu = process.cpuUsage();
	const result = await world.worker.run(job);
	const { user, system } = process.cpuUsage(cpu);
	if (result.error !== undefined) throw new Error(`${job.runner} ${job.kind}: ${result.error}`);
	return { result, stats: world.sandbox.stats(), sandboxCpuMs: (user + system) / 1000 };
}

/**
 * Runs every variant once per run, starting each run at a different variant, so that a slow
 * moment of the shared machine does not always fall on the same one.
 */
export async function interleaved<K extends string>(
	context: BenchContext,
	world: World,
	variants: Record<K, Job>,
): Promise<Record<K, Measured[]>> {
	const names = Object.keys(variants) as K[];
	const measured = {} as Record<K, Measured[]>;
	for (const name of names) measured[name] = [];
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

/** Combines two variants run by run: paired values come from the same stretch of time. */
export const paired = (a: number[], b: number[], combine: (x: number, y: number) => number) =>
	a.map((value, index) => combine(value, b[index]));

export const msOf = (runs: Measured[]) => runs.map(({ result }) => result.ms);

export const perSecond = (count: number, runs: Measured[]) =>
	msOf(runs).map((ms) => (count * 1000) / ms);

export const statsOf = (runs: Measured[], read: (stats: SandboxStats) => number) =>
	runs.map(({ stats }) => read(stats));

export function concurrencyLabel(concurrency: number | undefined) {
	return concurrency === undefined ? `default (${DEFAULT_CONCURRENCY})` : String(concurrency);
}

/** Documents to link to, added through the API by the baseline client before any timing. */
export async function seedDocuments(world: World, context: BenchContext, count: number) {
	const files = await writeSmallFiles(context.folder, `seed-${Date.now()}`, count, 1024);
	const { result } = await measure(world, {
		kind: 'upload',
		runner: 'baseline',
		files,
		concurrency: 8,
	});
	const ids = result.documentIds.filter((id): id is number => id !== null);
	if (ids.length !== count) throw new Error(`seeding made ${ids.length} of ${count} documents`);
	// A fixed shuffle (7919 is prime), so output order has to be kept, not merely sorted back.
	return ids
		.map((id, index) => ({ id, key: (index * 7919) % count }))
		.sort((a, b) => a.key - b.key)
		.map(({ id }) => id);
}
