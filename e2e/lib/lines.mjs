// The n8n lines the suite runs against, as e2e/install-n8n.sh installed them, and what differs
// between them.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const LINE_NAMES = ['1', '2'];

export function cacheDir() {
	return process.env.N8N_E2E_CACHE ?? join(homedir(), '.cache', 'n8n-nodes-pageup-e2e');
}

/** The lines named in N8N_E2E_LINES (comma separated), or both. */
export function selectedLines() {
	const chosen = (process.env.N8N_E2E_LINES ?? LINE_NAMES.join(','))
		.split(',')
		.map((name) => name.trim())
		.filter(Boolean);
	for (const name of chosen) {
		if (!LINE_NAMES.includes(name)) {
			throw new Error(`N8N_E2E_LINES names an unknown line '${name}' (known: 1, 2)`);
		}
	}
	return chosen;
}

/** Whether install-n8n.sh has installed `line`. */
export function isInstalled(line) {
	const manifest = join(cacheDir(), `line-${line}.json`);
	if (!existsSync(manifest)) return false;
	const { n8n, node } = JSON.parse(readFileSync(manifest, 'utf8'));
	return existsSync(n8n) && existsSync(node);
}

/**
 * @returns {Line} the installed n8n of `line` ('1' or '2'), with the quirks of that line.
 */
export function loadLine(line) {
	const manifest = join(cacheDir(), `line-${line}.json`);
	if (!isInstalled(line)) {
		throw new Error(`n8n line ${line} is not installed: run e2e/install-n8n.sh ${line}`);
	}
	const installed = JSON.parse(readFileSync(manifest, 'utf8'));
	const major = Number(installed.version.split('.')[0]);
	return {
		...installed,
		major,
		nodeDir: dirname(installed.node),
		env: major === 1 ? LINE_1_ENV : LINE_2_ENV,
		activateCommand: (id) =>
			major === 1
				? ['update:workflow', `--id=${id}`, '--active=true']
				: ['publish:workflow', `--id=${id}`],
		binaryDataEnv: (mode) => binaryDataEnv(major, mode),
	};
}

// isolated-vm, which the default 'vm' expression engine needs, ships prebuilt addons for Node 22
// and 24 only; on Node 20 n8n 1.123 must use the legacy engine.
const LINE_1_ENV = { N8N_EXPRESSION_ENGINE: 'legacy' };

// mcp-registry is a 2.x module that reaches out to a registry at start; 1.123 rejects the name.
const LINE_2_ENV = { N8N_DISABLED_MODULES: 'mcp-registry' };

/**
 * Binary data modes: 'filesystem' (stored as 'filesystem-v2'), 'database' and 'default'
 * (in memory, base64 in the execution data). 1.123 ignores 'database' unless it is also
 * listed in N8N_AVAILABLE_BINARY_DATA_MODES and silently keeps the data in memory.
 */
function binaryDataEnv(major, mode) {
	if (mode === undefined) return {};
	const env = { N8N_DEFAULT_BINARY_DATA_MODE: mode };
	if (major === 1 && mode === 'database') {
		env.N8N_AVAILABLE_BINARY_DATA_MODES = 'filesystem,database';
	}
	return env;
}

/**
 * @typedef {object} Line
 * @property {string} line
 * @property {string} version n8n version, e.g. '2.41.1'
 * @property {number} major
 * @property {string} node path of the Node.js binary this line runs on
 * @property {string} nodeVersion
 * @property {string} nodeDir
 * @property {string} n8n path of n8n's bin/n8n
 * @property {Record<string, string>} env
 * @property {(id: string) => string[]} activateCommand
 * @property {(mode?: string) => Record<string, string>} binaryDataEnv
 */
