// `npm run bench`: runs the scenarios against a local sandbox and writes RESULTS.md and
// results.json beside this file's source. Flags: --only 1,3  --runs 3  --upload-mib 1024
// --levels 1,2,4,8,16
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

import { resultsMarkdown, type BenchMeta, type ScenarioReport } from './report';
import { SCENARIOS, type BenchContext } from './scenarios/index';

interface Flags {
	only: number[];
	runs: number;
	uploadMib: number;
	levels: number[];
}

const USAGE =
	'usage: node dist/bench/run.js [--only 1,2,3,4] [--runs 3] [--upload-mib 1024] ' +
	'[--levels 1,2,4,8,16]';

function numbers(flag: string, text: string | undefined): number[] {
	const values = (text ?? '').split(',').map(Number);
	if (values.length === 0 || values.some((value) => !Number.isInteger(value) || value < 1)) {
		throw new Error(`${flag} takes whole numbers from 1, comma separated\n${USAGE}`);
	}
	return values;
}

function parseFlags(args: string[]): Flags {
	const flags: Flags = { only: [1, 2, 3, 4], runs: 3, uploadMib: 1024, levels: [1, 2, 4, 8, 16] };
	for (let index = 0; index < args.length; index += 2) {
		const [flag, value] = [args[index], args[index + 1]];
		if (flag === '--only') flags.only = numbers(flag, value);
		else if (flag === '--runs') flags.runs = numbers(flag, value)[0];
		else if (flag === '--upload-mib') flags.uploadMib = numbers(flag, value)[0];
		else if (flag === '--levels') flags.levels = numbers(flag, value);
		else throw new Error(`unknown flag ${flag}\n${USAGE}`);
	}
	const unknown = flags.only.find((id) => SCENARIOS[id] === undefined);
	if (unknown !== undefined) throw new Error(`there is no scenario ${unknown}\n${USAGE}`);
	// Scenario 3's bars compare concurrency 8 with 1, so both always run.
	flags.levels = [...new Set([1, 8, ...flags.levels])].sort((a, b) => a - b);
	return flags;
}

function version(name: string): string {
	return (require(`${name}/package.json`) as { version: string }).version;
}

async function main() {
	const flags = parseFlags(process.argv.slice(2));
	const started = performance.now();
	const folder = await mkdtemp(join(tmpdir(), 'pageup-bench-'));
	const removeFolder = () => rm(folder, { recursive: true, force: true });
	// A 1 GiB input left behind by Ctrl-C would sit in /tmp until the next reboot.
	process.once('SIGINT', () => void removeFolder().then(() => process.exit(130)));

	const context: BenchContext = {
		runs: flags.runs,
		folder,
		uploadBytes: flags.uploadMib * 1024 ** 2,
		levels: flags.levels,
		log: (line) => console.log(line),
	};
	const reports: ScenarioReport[] = [];
	try {
		for (const id of flags.only) {
			console.log(`scenario ${id}`);
			const report = await SCENARIOS[id](context);
			for (const bar of report.bars) {
				console.log(`  ${bar.met ? 'met' : 'NOT MET'}: ${bar.text} (${bar.measured})`);
			}
			reports.push(report);
		}
	} finally {
		await removeFolder();
	}

	const meta: BenchMeta = {
		startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
		command: ['npm run bench --', ...process.argv.slice(2)].join(' ').trim(),
		runs: flags.runs,
		machine: `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB`,
		versions: {
			node: process.version,
			'n8n-core': version('n8n-core'),
			'n8n-workflow': version('n8n-workflow'),
		},
		seconds: (performance.now() - started) / 1000,
	};
	// The compiled file runs from dist/bench; the results belong with the sources in bench/.
	const out = join(__dirname, '..', '..', 'bench');
	await writeFile(join(out, 'RESULTS.md'), resultsMarkdown(meta, reports));
	await writeFile(join(out, 'results.json'), `${JSON.stringify({ meta, reports }, null, '\t')}\n`);
	console.log(`wrote ${join(out, 'RESULTS.md')} and results.json in ${Math.round(meta.seconds)} s`);
	if (reports.some((report) => report.bars.some((bar) => !bar.met))) process.exitCode = 1;
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
