// Reads the run data that `n8n execute --rawOutput` prints.

/**
 * Cuts the run data out of everything else the command prints (task broker, licence and
 * settings lines before it, error logs after it). n8n prints it with JSON.stringify(data, null,
 * 2), so it starts with a line that is only '{' and ends with one that is only '}'.
 */
export function parseRunOutput(output) {
	const lines = output.split('\n');
	let found;
	for (let start = 0; start < lines.length; start++) {
		if (lines[start].trimEnd() !== '{') continue;
		for (let end = start + 1; end < lines.length; end++) {
			if (lines[end].trimEnd() !== '}') continue;
			try {
				const value = JSON.parse(lines.slice(start, end + 1).join('\n'));
				if (value?.data?.resultData !== undefined) found = value;
			} catch {
				continue;
			}
			start = end;
			break;
		}
	}
	return found;
}

/** One workflow run as `n8n execute` reported it. */
export class ExecutionResult {
	constructor({ code, stdout, stderr, run }) {
		this.code = code;
		this.stdout = stdout;
		this.stderr = stderr;
		this.run = run;
	}

	/** 'success', 'error', ... as n8n records it. */
	get status() {
		return this.run.status;
	}

	get ok() {
		return this.status === 'success' && this.error === undefined;
	}

	/** The error that stopped the workflow, if any. */
	get error() {
		return this.run.data.resultData.error;
	}

	get lastNodeExecuted() {
		return this.run.data.resultData.lastNodeExecuted;
	}

	/** Every run of the node called `nodeName` (more than one in a loop). */
	nodeRuns(nodeName) {
		return this.run.data.resultData.runData[nodeName] ?? [];
	}

	/** The error the node reported, from its last run. */
	nodeError(nodeName) {
		return this.nodeRuns(nodeName).at(-1)?.error;
	}

	/** The items the node put out on `output` in its last run. */
	items(nodeName, { output = 0 } = {}) {
		const lastRun = this.nodeRuns(nodeName).at(-1);
		if (lastRun === undefined) {
			throw new Error(`Node '${nodeName}' did not run (last node: ${this.lastNodeExecuted})`);
		}
		return lastRun.data?.main?.[output] ?? [];
	}

	/** The `json` of each item the node put out. */
	json(nodeName, options) {
		return this.items(nodeName, options).map((item) => item.json);
	}
}
