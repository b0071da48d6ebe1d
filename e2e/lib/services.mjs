// Throwaway Redis and PostgreSQL servers on loopback for n8n's queue mode. Both come from
// Debian's packages (e2e/install-n8n.sh services) and keep their data in a temp folder.
import {
	chownSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	readdirSync,
	rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, tcpAsk } from './net.mjs';
import { atExit, runCommand, startProcess, stopProcess, waitFor } from './processes.mjs';

/** Starts redis-server on a free port. */
export async function startRedis({ dir, logFile }) {
	const port = await freePort();
	mkdirSync(dir, { recursive: true });
	const handle = startProcess({
		name: 'redis-server',
		command: 'redis-server',
		args: [
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--dir',
			dir,
			'--save',
			'',
			'--appendonly',
			'no',
		],
		logFile,
	});
	await waitFor(async () => (await tcpAsk(port, 'PING\r\n')).startsWith('+PONG'), {
		what: `redis-server on port ${port}`,
		timeoutMs: 15_000,
		owner: handle,
	});
	return { port, handle, stop: () => stopProcess(handle, { timeoutMs: 5_000 }) };
}

function postgresBinDir() {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root)
		? readdirSync(root)
				.filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (versions.length === 0) {
		throw new Error('PostgreSQL is not installed: run e2e/install-n8n.sh services');
	}
	return join(root, versions[0], 'bin');
}

// PostgreSQL refuses to run as root, so as root its files and processes belong to `postgres`.
function postgresOwner() {
	if (process.getuid?.() !== 0) return {};
	const entry = readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.map((line) => line.split(':'))
		.find(([name]) => name === 'postgres');
	if (!entry)
		throw new Error('Running as root needs the postgres user (apt-get install postgresql)');
	return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/**
 * Initialises a cluster in a new temp folder and starts it on a free port, with the database
 * `database` created. Trust authentication for user `postgres`, on 127.0.0.1 only.
 */
export async function startPostgres({ database = 'n8n', logFile }) {
	const bin = postgresBinDir();
	const owner = postgresOwner();
	// Not inside the harness's own temp folder: that one is private to root.
	const root = mkdtempSync(join(tmpdir(), 'n8n-e2e-pg-'));
	const cancelRemoval = atExit(() => rmSync(root, { recursive: true, force: true }));
	const data = join(root, 'data');
	const socketDir = join(root, 'socket');
	mkdirSync(socketDir);
	if (owner.uid !== undefined) {
		chownSync(root, owner.uid, owner.gid);
		chownSync(socketDir, owner.uid, owner.gid);
	}
	const env = { ...process.env, LC_ALL: 'C', HOME: root };

	const init = await runCommand({
		name: 'initdb',
		command: join(bin, 'initdb'),
		args: ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'],
		env,
		cwd: root,
		...owner,
		timeoutMs: 60_000,
	});
	if (init.code !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);

	const port = await freePort();
	const handle = startProcess({
		name: 'postgres',
		command: join(bin, 'postgres'),
		args: [
			'-D',
			data,
			'-p',
			String(port),
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			`unix_socket_directories=${socketDir}`,
			// Speed over durability: the cluster lives for one test run.
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
		],
		env,
		cwd: root,
		logFile,
		...owner,
	});
	const psql = (sql) =>
		runCommand({
			name: 'psql',
			command: join(bin, 'psql'),
			args: ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-tAc', sql],
			env,
			timeoutMs: 10_000,
		});
	await waitFor(async () => (await psql('SELECT 1')).code === 0, {
		what: `postgres on port ${port}`,
		timeoutMs: 30_000,
		intervalMs: 300,
		owner: handle,
	});
	const created = await psql(`CREATE DATABASE ${database}`);
	if (created.code !== 0) throw new Error(`CREATE DATABASE failed: ${created.stderr}`);

	return {
		port,
		database,
		user: 'postgres',
		handle,
		async stop() {
			// SIGINT is PostgreSQL's fast shutdown: it ends open sessions instead of waiting.
			await stopProcess(handle, { signal: 'SIGINT', timeoutMs: 10_000 });
			cancelRemoval();
			rmSync(root, { recursive: true, force: true });
		},
	};
}
