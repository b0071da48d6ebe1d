// Scenario results for the closing table: each test file appends a JSON line per scenario to
// E2E_RESULTS_FILE (set by e2e/run.mjs), which prints them once every file has run.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** Records one scenario's outcome; without E2E_RESULTS_FILE it does nothing. */
export function recordScenario({ scenario, version, result, durationMs, note = '' }) {
	const file = process.env.E2E_RESULTS_FILE;
	if (!file) return;
	appendFileSync(file, JSON.stringify({ scenario, version, result, durationMs, note }) + '\n');
}

export function readScenarios(file) {
	if (!existsSync(file)) return [];
	return readFileSync(file, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line));
}

/** A Markdown table: scenario | n8n version | result | duration (| note). */
export function scenarioTable(rows) {
	const header = ['scenario', 'n8n version', 'result', 'duration', 'note'];
	const cells = rows.map((row) => [
		row.scenario,
		row.version,
		row.result,
		`${(row.durationMs / 1000).toFixed(1)} s`,
		row.note,
	]);
	const widths = header.map((title, i) =>
		Math.max(title.length, ...cells.map((row) => row[i].length)),
	);
	const line = (row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
	const rule = `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`;
	return [line(header), rule, ...cells.map(line)].join('\n');
}
