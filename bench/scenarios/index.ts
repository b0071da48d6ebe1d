// The scenarios by the number the brief and RESULTS.md give them.
import type { ScenarioReport } from '../report';
import type { BenchContext } from './common';
import { downloadUrls } from './downloadUrls';
import { largeUpload } from './largeUpload';
import { smallUploads } from './smallUploads';
import { tokenLifetime } from './tokenLifetime';

export type { BenchContext } from './common';

export const SCENARIOS: Record<number, (context: BenchContext) => Promise<ScenarioReport>> = {
	1: largeUpload,
	2: smallUploads,
	3: downloadUrls,
	4: tokenLifetime,
};
