// A throwaway n8n installation: its own user folder, encryption key, database and processes.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadLine } from './lines.mjs';
import { freePort, request, RestClient } from './net.mjs';
import { ExecutionResult, parseRunOutput } from './run-data.mjs';
import {
	atExit,
	outputTail,
	runCommand,
	startProcess,
	stopProcess,
	waitFor,
} from './processes.mjs';
import { startPostgres, startRedis } from './services.mjs';

// Variables of the caller's environment that would change how n8n or npm behaves.
const INHERITED_PREFIXES = ['N8N_', 'DB_', 'QUEUE_', 'EXECUTIONS_', 'WEBHOOK_', 'npm_'];

const QUIET_ENV = {
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	N8N_HIRING_BANNER_ENABLED: 'false',
	N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
	N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
	N8N_LISTEN_ADDRESS: '127.0.0.1',
	N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
	N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
	N8N_SECURE_COOKIE: 'false',
};

const MAX_ID_LENGTH = 16;

export const OWNER = {
	email: 'owner@example.com',
	firstName: 'Test',
	lastName: 'Owner',
	password: 'E2eOwner-Passw0rd',
};

export function newId() {
	return randomBytes(8).toString('hex');
}

/**
 * Creates an n8n installation of `line` ('1' or '2'). With `queue`, it also starts Redis and
 * PostgreSQL and runs every n8n process in queue mode against them.
 * @param {object} [options]
 * @param {string} [options.line]
 * @param {'filesystem' | 'database' | 'default'} [options.binaryDataMode]
 * @param {boolean} [options.queue]
 * @param {Record<string, string>} [options.env] extra variables for every n8n process
 * @returns {Promise<N8nInstance>}
 */
export async function createInstance(options = {}) {
	const instance = new N8nInstance(options);
	try {
		if (options.queue) await instance.startQueueServices();
	} catch (error) {
		await instance.stop();
		throw error;
	}
	return instance;
}

export class N8nInstance {
	constructor({ line = '2', binaryDataMode, queue = false, env = {} } = {}) {
		this.line = loadLine(line);
		this.queue = queue;
		this.root = mkdtempSync(join(tmpdir(), `n8n-e2e-${this.line.version}-`));
		this.userFolder = join(this.root, 'user');
		this.nodesFolder = join(this.userFolder, '.n8n', 'nodes');
		this.logsDir = join(this.root, 'logs');
		this.filesDir = join(this.root, 'files');
		for (const dir of [this.nodesFolder, this.logsDir, this.filesDir]) {
			mkdirSync(dir, { recursive: true });
		}
		this.cancelRemoval = atExit(() => this.removeFolder());
		this.encryptionKey = randomBytes(24).toString('hex');
		this.extraEnv = { ...this.line.binaryDataEnv(binaryDataMode), ...env };
		this.queueEnv = {};
		this.credentialData = new Map();
		this.services = [];
		this.processes = [];
		this.workers = [];
		this.workerCount = 0;
		this.main = undefined;
	}

	/** The environment of one n8n process; each gets its own task broker port. */
	async processEnv(role, extra = {}) {
		const inherited = Object.fromEntries(
			Object.entries(process.env).filter(
				([name]) => !INHERITED_PREFIXES.some((prefix) => name.startsWith(prefix)),
			),
		);
		return {
			...inherited,
			PATH: `${this.line.nodeDir}:${process.env.PATH}`,
			...QUIET_ENV,
			...this.line.env,
			...this.queueEnv,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: this.encryptionKey,
			// Every n8n process starts a task broker, on 5679 unless told otherwise.
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			E2E_PROCESS_ROLE: role,
			...this.extraEnv,
			...extra,
		};
	}

	/**
	 * Runs an n8n CLI command to its end.
	 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
	 */
	async cli(args, { timeoutMs = 120_000, env, allowFailure = false } = {}) {
		const name = `n8n ${args[0]}`;
		const result = await runCommand({
			name,
			command: this.line.node,
			args: [this.line.n8n, ...args],
			env: await this.processEnv('cli', env),
			cwd: this.root,
			logFile: join(this.logsDir, 'cli.log'),
			timeoutMs,
		});
		if (result.code !== 0 && !allowFailure) {
			throw new Error(
				`${name} exited with ${result.code}` + outputTail(result.stdout + result.stderr),
			);
		}
		return result;
	}

	/**
	 * Installs a packed community package (a .tgz from `npm pack`) the way a self-hosted user
	 * does: into <N8N_USER_FOLDER>/.n8n/nodes, where n8n loads packages named n8n-nodes-* and
	 * @scope/n8n-nodes-*. Peer dependencies are skipped by default, as n8n's own installer does
	 * (it deletes them from the package.json), so the package runs on n8n's n8n-workflow;
	 * `peers: 'install'` gets them as a plain `npm install` would.
	 */
	async installPackage(tarball, { peers = 'skip', timeoutMs = 180_000 } = {}) {
		const manifest = join(this.nodesFolder, 'package.json');
		if (!existsSync(manifest)) {
			const folder = { name: 'installed-nodes', private: true, dependencies: {} };
			writeFileSync(manifest, JSON.stringify(folder, null, 2));
		}
		const args = ['install', tarball, '--ignore-scripts', '--no-audit', '--no-fund'];
		if (peers === 'skip') args.push('--legacy-peer-deps');
		const env = Object.fromEntries(
			Object.entries(process.env).filter(([name]) => !name.startsWith('npm_')),
		);
		const result = await runCommand({
			name: 'npm install',
			command: 'npm',
			args,
			cwd: this.nodesFolder,
			env: { ...env, npm_config_yes: 'true', npm_config_loglevel: 'error' },
			logFile: join(this.logsDir, 'npm.log'),
			timeoutMs,
		});
		if (result.code !== 0) {
			throw new Error(`npm install ${tarball} failed` + outputTail(result.stdout + result.stderr));
		}
	}

	/**
	 * Imports credentials; `data` is the plain object, which n8n encrypts on import.
	 * @param {Array<{ id?: string, name: string, type: string, data: object }>} credentials
	 * @returns {Promise<Array<{ id: string, name: string, type: string }>>}
	 */
	async importCredentials(credentials) {
		const withIds = credentials.map((credential) => ({ id: newId(), ...credential }));
		const file = this.writeFile(`credentials-${newId()}.json`, withIds);
		await this.cli(['import:credentials', `--input=${file}`]);
		for (const { id, data } of withIds) this.credentialData.set(id, data);
		return withIds.map(({ id, name, type }) => ({ id, name, type }));
	}

	/**
	 * Imports workflows (each one as n8n exports it); each gets an id if it has none.
	 * @returns {Promise<string[]>} the workflow ids
	 */
	async importWorkflows(workflows) {
		const withIds = workflows.map((workflow) => {
			const id = workflow.id ?? newId();
			if (id.length > MAX_ID_LENGTH) {
				throw new Error(`Workflow id '${id}' is longer than n8n's ${MAX_ID_LENGTH} characters`);
			}
			return { active: false, settings: {}, connections: {}, ...workflow, id };
		});
		const file = this.writeFile(`workflows-${newId()}.json`, withIds);
		await this.cli(['import:workflow', `--input=${file}`]);
		return withIds.map(({ id }) => id);
	}

	/**
	 * Marks a workflow active so that `n8n start` registers its triggers and webhooks. Run it
	 * before starting the main process.
	 */
	async activateWorkflow(id) {
		await this.cli(this.line.activateCommand(id));
	}

	/**
	 * Runs a workflow headless with `n8n execute` (always in this process, even in queue mode).
	 * A workflow that fails still resolves; check `ok`, `error` and `nodeError()`.
	 * @returns {Promise<ExecutionResult>}
	 */
	async execute(id, { timeoutMs = 180_000, env } = {}) {
		const result = await this.cli(['execute', `--id=${id}`, '--rawOutput'], {
			timeoutMs,
			env,
			allowFailure: true,
		});
		const run = parseRunOutput(result.stdout) ?? parseRunOutput(result.stdout + result.stderr);
		if (run === undefined) {
			throw new Error(
				`n8n execute --id=${id} printed no run data (exit ${result.code})` +
					outputTail(result.stdout + result.stderr),
			);
		}
		return new ExecutionResult({ ...result, run });
	}

	/** Starts Redis and PostgreSQL for queue mode. */
	async startQueueServices() {
		const redis = await startRedis({
			dir: join(this.root, 'redis'),
			logFile: join(this.logsDir, 'redis.log'),
		});
		this.services.push(redis);
		const postgres = await startPostgres({ logFile: join(this.logsDir, 'postgres.log') });
		this.services.push(postgres);
		this.queueEnv = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: postgres.database,
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: 'unused-with-trust-auth',
		};
	}

	/**
	 * Starts `n8n start` (editor, REST API and production webhooks) on `port`, or a free port,
	 * and waits until its REST API answers.
	 * @returns {Promise<{ baseUrl: string, port: number }>}
	 */
	async startMain({ timeoutMs = 180_000, env, port: givenPort } = {}) {
		const port = givenPort ?? (await freePort());
		const baseUrl = `http://127.0.0.1:${port}`;
		const handle = startProcess({
			name: 'n8n start',
			command: this.line.node,
			args: [this.line.n8n, 'start'],
			cwd: this.root,
			env: await this.processEnv('main', {
				N8N_PORT: String(port),
				N8N_HOST: '127.0.0.1',
				N8N_PROTOCOL: 'http',
				WEBHOOK_URL: `${baseUrl}/`,
				N8N_EDITOR_BASE_URL: `${baseUrl}/`,
				...env,
			}),
			logFile: join(this.logsDir, 'main.log'),
		});
		this.processes.push(handle);
		const deadline = Date.now() + timeoutMs;
		const left = () => Math.max(deadline - Date.now(), 1_000);
		await waitFor(
			async () => (await request(`${baseUrl}/healthz`, { timeoutMs: 2_000 })).status === 200,
			{
				what: `${baseUrl}/healthz`,
				timeoutMs: left(),
				intervalMs: 500,
				owner: handle,
			},
		);
		// The REST API is mounted a few seconds after /healthz answers.
		await waitFor(
			async () => (await request(`${baseUrl}/rest/settings`, { timeoutMs: 2_000 })).status === 200,
			{ what: `${baseUrl}/rest/settings`, timeoutMs: left(), intervalMs: 500, owner: handle },
		);
		this.main = { handle, port, baseUrl };
		return this.main;
	}

	/**
	 * Starts an `n8n worker` (queue mode) and waits until its health endpoint answers.
	 * @returns {Promise<{ name: string, handle: object }>}
	 */
	async startWorker({ timeoutMs = 180_000, concurrency = 5, env } = {}) {
		if (!this.queue) throw new Error('Workers need an instance created with { queue: true }');
		// Counted before any await, so workers started together get distinct names.
		this.workerCount += 1;
		const name = `worker-${this.workerCount}`;
		const healthPort = await freePort();
		const handle = startProcess({
			name: `n8n ${name}`,
			command: this.line.node,
			args: [this.line.n8n, 'worker', `--concurrency=${concurrency}`],
			cwd: this.root,
			env: await this.processEnv(name, {
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(healthPort),
				...env,
			}),
			logFile: join(this.logsDir, `${name}.log`),
		});
		this.processes.push(handle);
		await waitFor(
			async () =>
				(await request(`http://127.0.0.1:${healthPort}/healthz`, { timeoutMs: 2_000 })).status ===
				200,
			{ what: `${name} /healthz`, timeoutMs, intervalMs: 500, owner: handle },
		);
		const worker = { name, handle, healthPort };
		this.workers.push(worker);
		return worker;
	}

	/**
	 * Waits until the production webhook `path` is registered. A GET on a webhook that only
	 * takes POST answers "Did you mean to make a POST request?" once it is; 2.x registers
	 * published workflows some seconds after /healthz.
	 */
	async waitForWebhook(path, { method = 'POST', timeoutMs = 60_000 } = {}) {
		const url = this.webhookUrl(path);
		const probeMethod = method === 'GET' ? 'POST' : 'GET';
		await waitFor(
			async () => {
				const answer = await request(url, { method: probeMethod, timeoutMs: 2_000 });
				return answer.text.includes(`Did you mean to make a ${method} request`);
			},
			{ what: `webhook ${method} ${url}`, timeoutMs, intervalMs: 500, owner: this.main?.handle },
		);
	}

	webhookUrl(path) {
		if (!this.main) throw new Error('The main process is not started');
		return `${this.main.baseUrl}/webhook/${path}`;
	}

	/** Creates the instance owner on a fresh instance; returns a REST client logged in as it. */
	async setupOwner(owner = OWNER) {
		const client = this.restClient();
		await client.expect('POST', '/rest/owner/setup', owner);
		return client;
	}

	/** Logs in; returns a REST client that carries the session cookie. */
	async login({ email, password } = OWNER) {
		const client = this.restClient();
		await client.expect('POST', '/rest/login', { emailOrLdapLoginId: email, password });
		return client;
	}

	/**
	 * The node and credential type names the editor offers, as its node panel loads them.
	 * @returns {Promise<{ nodes: string[], credentials: string[] }>}
	 */
	async editorTypes(client) {
		const names = async (path) => (await client.expect('GET', path)).map((type) => type.name);
		return {
			nodes: await names('/types/nodes.json'),
			credentials: await names('/types/credentials.json'),
		};
	}

	/**
	 * Runs the credential's test as the editor's "Test" button does, with the data it was
	 * imported with. @returns {Promise<{ status: 'OK' | 'Error', message: string }>}
	 */
	async testCredential(client, { id, name, type }) {
		const data = this.credentialData.get(id);
		return client.expect('POST', '/rest/credentials/test', {
			credentials: { id, name, type, data },
		});
	}

	restClient() {
		if (!this.main) throw new Error('The main process is not started');
		return new RestClient(this.main.baseUrl);
	}

	/** Writes `content` (JSON unless a string or buffer) into the instance's files folder. */
	writeFile(name, content) {
		const file = join(this.filesDir, name);
		const text =
			typeof content === 'string' || Buffer.isBuffer(content)
				? content
				: JSON.stringify(content, null, 2);
		writeFileSync(file, text);
		return file;
	}

	/** The output of every n8n process started with startMain/startWorker, for assertions. */
	logs() {
		return Object.fromEntries(this.processes.map((handle) => [handle.name, handle.output]));
	}

	/**
	 * Stops all processes of this instance (n8n first, then Redis and PostgreSQL) and removes
	 * its folder, unless N8N_E2E_KEEP=1 asks to keep it for a look at the logs.
	 */
	async stop() {
		await Promise.all(this.processes.map((handle) => stopProcess(handle, { timeoutMs: 15_000 })));
		for (const service of this.services.reverse()) await service.stop();
		this.processes = [];
		this.services = [];
		this.cancelRemoval();
		this.removeFolder();
	}

	removeFolder() {
		if (process.env.N8N_E2E_KEEP === '1') {
			process.stderr.write(`n8n e2e: kept ${this.root}\n`);
		} else {
			rmSync(this.root, { recursive: true, force: true });
		}
	}
}
