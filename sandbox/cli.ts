// `npm run sandbox`: a local PageUp for trying the node in n8n by hand, or for scripts.

import { parseArgs } from 'node:util';

import { CONTROL_ROUTES } from './control';
import { startSandbox } from './index';
import type { Sandbox, SandboxOptions } from './index';
import type { RequestRecord } from './traffic';

export const DEFAULT_API_PORT = 4010;

export const DEFAULT_S3_PORT = 4011;

export interface CliOptions {
	sandbox: SandboxOptions;
	json: boolean;
	quiet: boolean;
	help: boolean;
}

export interface CliOutput {
	out: (line: string) => void;
	err: (line: string) => void;
}

export class CliUsageError extends Error {}

export const USAGE = `Usage: node dist/sandbox/cli.js [options]

Starts a local PageUp (token endpoint, Document API and an S3 store) on 127.0.0.1.

Options, each also read from the environment variable beside it:
  --port N            API port, 0 for any free one (${DEFAULT_API_PORT}) PAGEUP_SANDBOX_PORT
  --s3-port N         S3 port (${DEFAULT_S3_PORT})                      PAGEUP_SANDBOX_S3_PORT
  --token-lifetime S  token lifetime in seconds (300)     PAGEUP_SANDBOX_TOKEN_LIFETIME
  --latency MS        delay added to each API call (0)    PAGEUP_SANDBOX_LATENCY
  --tenant-id ID      tenant id (218)                     PAGEUP_SANDBOX_TENANT_ID
  --client-id ID      client id (sandbox-client)          PAGEUP_SANDBOX_CLIENT_ID
  --client-secret X   client secret (random)              PAGEUP_SANDBOX_CLIENT_SECRET
  --data-dir DIR      keep object bytes here (temporary)  PAGEUP_SANDBOX_DATA_DIR
  --json              print one JSON line with the credential values, nothing else
  --quiet             do not print a line per request
  --help              show this text

Documents and tokens live in memory; they are gone when the sandbox stops.`;

const ENV_NAMES = {
	port: 'PAGEUP_SANDBOX_PORT',
	's3-port': 'PAGEUP_SANDBOX_S3_PORT',
	'token-lifetime': 'PAGEUP_SANDBOX_TOKEN_LIFETIME',
	latency: 'PAGEUP_SANDBOX_LATENCY',
	'tenant-id': 'PAGEUP_SANDBOX_TENANT_ID',
	'client-id': 'PAGEUP_SANDBOX_CLIENT_ID',
	'client-secret': 'PAGEUP_SANDBOX_CLIENT_SECRET',
	'data-dir': 'PAGEUP_SANDBOX_DATA_DIR',
} as const;

type ValueFlag = keyof typeof ENV_NAMES;

const FLAGS = {
	port: { type: 'string' },
	's3-port': { type: 'string' },
	'token-lifetime': { type: 'string' },
	latency: { type: 'string' },
	'tenant-id': { type: 'string' },
	'client-id': { type: 'string' },
	'client-secret': { type: 'string' },
	'data-dir': { type: 'string' },
	json: { type: 'boolean' },
	quiet: { type: 'boolean' },
	help: { type: 'boolean' },
} as const;

function readFlags(argv: string[]) {
	try {
		return parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }).values;
	} catch (error) {
		throw new CliUsageError(error instanceof Error ? error.message : String(error));
	}
}

export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = {}): CliOptions {
	const values = readFlags(argv);
	const value = (flag: ValueFlag): string | undefined => values[flag] ?? env[ENV_NAMES[flag]];
	const number = (flag: ValueFlag, fallback?: number): number | undefined => {
		const text = value(flag);
		if (text === undefined || text === '') return fallback;
		const parsedNumber = Number(text);
		if (!Number.isFinite(parsedNumber) || parsedNumber < 0) {
			throw new CliUsageError(`--${flag} must be a non-negative number, not "${text}".`);
		}
		return parsedNumber;
	};
	return {
		sandbox: {
			apiPort: number('port', DEFAULT_API_PORT),
			s3Port: number('s3-port', DEFAULT_S3_PORT),
			tokenLifetimeSeconds: number('token-lifetime'),
			latencyMs: number('latency'),
			tenantId: value('tenant-id'),
			clientId: value('client-id'),
			clientSecret: value('client-secret'),
			dataDir: value('data-dir'),
		},
		json: values.json === true,
		quiet: values.quiet === true,
		help: values.help === true,
	};
}

/** What a person needs to point an n8n credential at the sandbox. */
export function describeSandbox(sandbox: Sandbox): string {
	const { credentials } = sandbox;
	return [
		`PageUp sandbox on ${sandbox.apiUrl} (S3 store on ${sandbox.s3Url})`,
		'',
		'Enter these in an n8n "PageUp API" credential',
		'(the two URLs take the place of environment and data centre):',
		`  Token URL       ${credentials.tokenUrl}`,
		`  API root URL    ${credentials.apiRootUrl}`,
		`  Tenant ID       ${credentials.tenantId}`,
		`  Client ID       ${credentials.clientId}`,
		`  Client secret   ${credentials.clientSecret}   (the sandbox's own, not a real one)`,
		`  Scopes          ${credentials.scopes}`,
		'',
		`Control routes on ${sandbox.apiUrl}:`,
		...CONTROL_ROUTES.map((route) => `  ${route}`),
		'',
		'Press Ctrl-C to stop.',
	].join('\n');
}

/** The one line `--json` prints, for scripts that start the sandbox as a child process. */
export function credentialsLine(sandbox: Sandbox): string {
	return JSON.stringify({ ...sandbox.credentials, apiUrl: sandbox.apiUrl, s3Url: sandbox.s3Url });
}

function requestLine(record: RequestRecord): string {
	const path = record.path.length > 120 ? `${record.path.slice(0, 117)}...` : record.path;
	const status = record.completed ? String(record.status) : `${record.status} (cut off)`;
	const took = Math.round(record.durationMs);
	return `${record.kind.padEnd(7)} ${record.method} ${path} -> ${status} in ${took} ms`;
}

/** Starts the sandbox as the command line asks; undefined when only help was wanted. */
export async function runCli(
	argv: string[],
	env: NodeJS.ProcessEnv,
	output: CliOutput,
): Promise<Sandbox | undefined> {
	const options = parseCliArgs(argv, env);
	if (options.help) {
		output.out(USAGE);
		return undefined;
	}
	const printRequests = !options.json && !options.quiet;
	const sandbox = await startSandbox({
		...options.sandbox,
		onRequest: printRequests ? (record) => output.out(requestLine(record)) : undefined,
	});
	output.out(options.json ? credentialsLine(sandbox) : describeSandbox(sandbox));
	return sandbox;
}

async function main(): Promise<void> {
	const output: CliOutput = {
		out: (line) => process.stdout.write(`${line}\n`),
		err: (line) => process.stderr.write(`${line}\n`),
	};
	let sandbox: Sandbox | undefined;
	try {
		sandbox = await runCli(process.argv.slice(2), process.env, output);
	} catch (error) {
		output.err(error instanceof Error ? error.message : String(error));
		if (error instanceof CliUsageError) output.err(USAGE);
		process.exitCode = 1;
		return;
	}
	if (sandbox === undefined) return;
	const running = sandbox;
	let stopping = false;
	const shutdown = (): void => {
		// A second Ctrl-C means now.
		if (stopping) process.exit(1);
		stopping = true;
		running.close().then(
			() => process.exit(0),
			(error: unknown) => {
				output.err(`The sandbox did not close cleanly: ${String(error)}`);
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
}

if (require.main === module) void main();
