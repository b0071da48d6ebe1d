// `npm run test:e2e`: builds, installs real n8n (cached after the first time), runs every e2e
// test file with node's test runner and prints the scenario table. Exits as the runner did.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { readScenarios, scenarioTable } from './lib/report.mjs';

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const TEST_FILES = ['e2e/pageup.e2e.test.mjs', 'e2e/screenshots.e2e.test.mjs'];

function step(title, command, args, env = process.env) {
	console.log(`== e2e: ${title}`);
	const started = Date.now();
	const { status, signal } = spawnSync(command, args, { cwd: REPO, stdio: 'inherit', env });
	console.log(`== e2e: ${title}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return status ?? (signal ? 1 : 0);
}

const lines = process.env.N8N_E2E_LINES ?? '1,2';
const targets = ['services', ...lines.split(',').map((each) => each.trim())];

if (step('build', 'npm', ['run', 'build']) !== 0) process.exit(1);
if (step(`install n8n (${targets.join(' ')})`, 'bash', ['e2e/install-n8n.sh', ...targets]) !== 0) {
	process.exit(1);
}

const resultsDir = mkdtempSync(join(tmpdir(), 'n8n-e2e-results-'));
const resultsFile = join(resultsDir, 'scenarios.jsonl');
// One file at a time: each starts several n8n processes, and CI has two cores.
const code = step(
	'node --test',
	process.execPath,
	['--test', '--test-concurrency=1', ...TEST_FILES],
	{ ...process.env, E2E_RESULTS_FILE: resultsFile, E2E_REQUIRE_LINES: '1' },
);

const rows = readScenarios(resultsFile);
rmSync(resultsDir, { recursive: true, force: true });
const passed = rows.filter((row) => row.result === 'pass').length;
console.log(`\n== e2e scenarios (${passed} of ${rows.length} passed)`);
console.log(scenarioTable(rows));
process.exit(code);
