// What a scenario measured, and how it reads as a Markdown table and as JSON.

export interface Measure {
	name: string;
	unit: string;
	/** One value per run. */
	values: number[];
}

export interface Bar {
	/** The bar as the brief states it. */
	text: string;
	/** What was measured against it, in words. */
	measured: string;
	met: boolean;
}

export interface ScenarioReport {
	id: number;
	title: string;
	/** How the scenario was set up: sizes, latencies, counts. */
	setup: string;
	measures: Measure[];
	bars: Bar[];
	notes: string[];
	seconds: number;
	/** The machine's one-minute load average as the scenario started and ended. */
	loadAverage: { start: number; end: number };
}

export interface Summary {
	median: number;
	min: number;
	max: number;
}

export function summary(values: number[]): Summary {
	const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
	if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
	const middle = Math.floor(sorted.length / 2);
	const median =
		sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

export const median = (values: number[]) => summary(values).median;

/** Enough digits to compare, never more than four significant ones. */
export function shown(value: number): string {
	if (!Number.isFinite(value)) return 'n/a';
	if (Number.isInteger(value)) return String(value);
	const magnitude = Math.abs(value);
	const decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
	return value.toFixed(decimals);
}

function scenarioMarkdown(report: ScenarioReport): string {
	const rows = report.measures.map(({ name, unit, values }) => {
		const { median: mid, min, max } = summary(values);
		return `| ${name} | ${shown(mid)} | ${shown(min)} | ${shown(max)} | ${unit} |`;
	});
	const bars = report.bars.map(
		({ text, measured, met }) => `- ${met ? '**met**' : '**NOT met**'}: ${text} (${measured})`,
	);
	return [
		`## ${report.id}. ${report.title}`,
		'',
		report.setup,
		'',
		'| Measure | Median | Min | Max | Unit |',
		'| --- | ---: | ---: | ---: | --- |',
		...rows,
		'',
		...bars,
		...(report.notes.length > 0 ? ['', ...report.notes.map((note) => `- ${note}`)] : []),
		'',
		`Scenario time: ${Math.round(report.seconds)} s; load average ` +
			`${shown(report.loadAverage.start)} at the start, ${shown(report.loadAverage.end)} at the end.`,
	].join('\n');
}

export interface BenchMeta {
	startedAt: string;
	command: string;
	runs: number;
	machine: string;
	versions: Record<string, string>;
	seconds: number;
}

export function resultsMarkdown(meta: BenchMeta, reports: ScenarioReport[]): string {
	const overview = reports.flatMap((report) =>
		report.bars.map(({ text, met }) => `| ${report.id} | ${text} | ${met ? 'met' : 'NOT met'} |`),
	);
	return [
		'# PageUp Document node: benchmark results',
		'',
		`Measured ${meta.startedAt} with \`${meta.command}\`: ${meta.runs} runs per measure, ` +
			`${Math.round(meta.seconds)} s in all. ${meta.machine}. ` +
			Object.entries(meta.versions)
				.map(([name, version]) => `${name} ${version}`)
				.join(', ') +
			'.',
		'',
		'The machine is shared and noisy, so times matter as ratios to a baseline measured in ' +
			"the same run, interleaved with the node's runs. Every value is the median of the runs, " +
			"with the lowest and highest. The node runs in n8n-core's WorkflowExecute in a child " +
			'process, binary data in filesystem mode; the sandbox runs in the parent process.',
		'',
		'| Scenario | Bar | Result |',
		'| --- | --- | --- |',
		...overview,
		'',
		...reports.map(scenarioMarkdown).flatMap((text) => [text, '']),
	].join('\n');
}
