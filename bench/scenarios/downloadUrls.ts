// Scenario 3: many Get Download URL items with latency: what concurrency buys, in order.
import type { Job } from '../protocol';
import { median, shown, type Measure, type ScenarioReport } from '../report';
import {
	inWorld,
	interleaved,
	measure,
	msOf,
	paired,
	seedDocuments,
	statsOf,
	type BenchContext,
} from './common';

const COUNT = 1000;

const LATENCY_MS = 20;

export async function downloadUrls(context: BenchContext): Promise<ScenarioReport> {
	return await inWorld({}, async (world) => {
		const ids = await seedDocuments(world, context, COUNT);
		world.sandbox.setOptions({ latencyMs: LATENCY_MS });
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
		const runs = await interleaved(context, world, variants);

		const atLevel = (level: number) => runs[`node c${level}`];
		const t1 = msOf(atLevel(1));
		const t8 = msOf(atLevel(8));
		const perLevel = (name: string, unit: string, values: (level: number) => number[]) =>
			context.levels.map(
				(level): Measure => ({
					name: `node, concurrency ${level}: ${name}`,
					unit,
					values: values(level),
				}),
			);
		const c8Ratio = paired(t8, t1, (a, b) => a / b);
		const inFlight = statsOf(atLevel(8), (stats) => stats.maxInFlight);
		const nodeRuns = context.levels.flatMap(atLevel);
		const outOfOrder = nodeRuns.reduce((sum, { result }) => sum + result.orderErrors, 0);
		return {
			id: 3,
			title: `${COUNT.toLocaleString('en')} Get Download URL items, ${LATENCY_MS} ms per API call`,
			setup:
				`${COUNT} documents uploaded through the API first (latency 0), then sandbox latency ` +
				`${LATENCY_MS} ms per call; the ${COUNT} items ask for them in a shuffled order. ` +
				'Sandbox counters are reset before every run. Baseline: the minimal client, token ' +
				'once, then the link calls in 8 lanes.',
			measures: [
				...perLevel('time', 'ms', (level) => msOf(atLevel(level))),
				{ name: 'baseline, 8 lanes: time', unit: 'ms', values: msOf(runs['baseline c8']) },
				{ name: 'node c8 time / node c1 time (paired)', unit: 'ratio', values: c8Ratio },
				{
					name: 'node c8 time / baseline 8 lanes (paired)',
					unit: 'ratio',
					values: paired(t8, msOf(runs['baseline c8']), (a, b) => a / b),
				},
				...perLevel('speed-up over concurrency 1 (paired)', '×', (level) =>
					paired(t1, msOf(atLevel(level)), (a, b) => a / b),
				),
				...perLevel('most API calls in flight', 'requests', (level) =>
					statsOf(atLevel(level), (stats) => stats.maxInFlight),
				),
				...perLevel('worker CPU per item', 'ms', (level) =>
					atLevel(level).map(({ result }) => result.cpuMs / COUNT),
				),
				{
					name: 'node c8: stored-credential reads per item',
					unit: 'reads',
					values: atLevel(8).map(({ result }) => result.credentialReads / COUNT),
				},
			],
			bars: [
				{
					text: 'concurrency 8 takes ≤ 1/5 of the time of concurrency 1',
					measured: `median ratio ${shown(median(c8Ratio))}`,
					met: median(c8Ratio) <= 0.2,
				},
				{
					text: 'the sandbox never sees more than 8 calls in flight at concurrency 8',
					measured: `most in flight: ${Math.max(...inFlight)}`,
					met: Math.max(...inFlight) <= 8,
				},
				{
					text: 'output order equals input order (documentId and pairedItem per index)',
					measured: `${outOfOrder} items out of place in ${nodeRuns.length} executions`,
					met: outOfOrder === 0,
				},
			],
			notes: [
				`At ${LATENCY_MS} ms a call, one lane cannot take less than ` +
					`${shown(COUNT * LATENCY_MS)} ms, nor eight lanes less than ` +
					`${shown((COUNT * LATENCY_MS) / 8)} ms. "In flight" counts token and link calls.`,
			],
		};
	});
}
