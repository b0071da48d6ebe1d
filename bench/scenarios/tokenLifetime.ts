// Scenario 4: a run across several token lifetimes: token requests and rejected calls.
import { DEFAULT_CONCURRENCY } from '../../nodes/PageUpDocument/actions/options';
import type { Job } from '../protocol';
import { shown, type Bar, type Measure, type ScenarioReport } from '../report';
import {
	concurrencyLabel,
	inWorld,
	interleaved,
	paired,
	seedDocuments,
	statsOf,
	type BenchContext,
} from './common';

const LIFETIME_SECONDS = 3;

const LATENCY_MS = 25;

// About 10 s a run whatever the concurrency: each lane does this many items at 25 ms a call.
const ITEMS_PER_LANE = 360;

// Concurrency 8 is measured too, to show where the default stands; the bar applies to 1 and it.
const LEVELS = [1, undefined, 8];

export async function tokenLifetime(context: BenchContext): Promise<ScenarioReport> {
	return await inWorld({}, async (world) => {
		const ids = await seedDocuments(world, context, 100);
		world.sandbox.setOptions({ latencyMs: LATENCY_MS, tokenLifetimeSeconds: LIFETIME_SECONDS });

		const variants: Record<string, Job> = {};
		for (const level of LEVELS) {
			const items = ITEMS_PER_LANE * (level ?? DEFAULT_CONCURRENCY);
			variants[concurrencyLabel(level)] = {
				kind: 'downloadUrl',
				runner: 'node',
				documentIds: Array.from({ length: items }, (_, index) => ids[index % ids.length]),
				concurrency: level,
			};
		}
		const runs = await interleaved(context, world, variants);

		const measures: Measure[] = [];
		const bars: Bar[] = [];
		for (const level of LEVELS) {
			const label = concurrencyLabel(level);
			const lifetimes = runs[label].map(({ result }) => result.ms / 1000 / LIFETIME_SECONDS);
			const rejected = statsOf(runs[label], (stats) => stats.rejectedApiCalls);
			const tokens = statsOf(runs[label], (stats) => stats.tokenRequests);
			const perLifetime = paired(rejected, lifetimes, (calls, spans) => calls / spans);
			measures.push(
				{
					name: `concurrency ${label}: run time`,
					unit: 's',
					values: runs[label].map(({ result }) => result.ms / 1000),
				},
				{ name: `concurrency ${label}: token lifetimes in the run`, unit: '', values: lifetimes },
				{ name: `concurrency ${label}: token requests`, unit: 'requests', values: tokens },
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
				measured:
					`highest ${shown(Math.max(...perLifetime))} per lifetime ` +
					`(${rejected.join(', ')} rejected; ${tokens.join(', ')} token requests)`,
				met: Math.max(...perLifetime) <= 1,
			});
		}
		return {
			id: 4,
			title: `Token lifetime of ${LIFETIME_SECONDS} s, runs of about 10 s`,
			setup:
				`Sandbox tokens live ${LIFETIME_SECONDS} s and every API call, token included, takes ` +
				`${LATENCY_MS} ms. Get Download URL for ${ITEMS_PER_LANE} items per lane, each ` +
				'execution starting with no stored token. Lifetimes in the run = run time / token ' +
				'lifetime; a rejected call is a 401 to a prepare, move or link call.',
			measures,
			bars,
			notes: ['Concurrency 8 is shown for reference; the bar applies to 1 and the default.'],
		};
	});
}
