// Child processes in their own process groups, so one signal ends a process and all it spawned;
// whatever is still running when the harness exits is killed with it.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const MAX_CAPTURE = 32 * 1024 * 1024;

const running = new Set();

const exitTasks = new Set();

let exitHooksInstalled = false;

function installExitHooks() {
	if (exitHooksInstalled) return;
	exitHooksInstalled = true;
	process.on('exit', () => {
		for (const handle of running) signalGroup(handle, 'SIGKILL');
		for (const task of exitTasks) {
			try {
				task();
			} catch {
				// Best effort: the process is exiting anyway.
			}
		}
	});
	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.once(signal, () => {
			stopAll().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : 15)));
		});
	}
}

/**
 * Resolves with what `promise` resolves to, or with undefined after `ms`. The timer is cleared
 * either way, so a finished race never keeps the event loop (and a test file) alive.
 */
function within(promise, ms) {
	let timer;
	const expired = new Promise((resolve) => {
		timer = setTimeout(resolve, ms, undefined);
	});
	return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

function signalGroup(handle, signal) {
	try {
		process.kill(-handle.pid, signal);
		return true;
	} catch {
		return false;
	}
}

function groupIsAlive(handle) {
	return signalGroup(handle, 0);
}

function append(captured, chunk) {
	const text = captured + chunk;
	return text.length > MAX_CAPTURE ? text.slice(text.length - MAX_CAPTURE) : text;
}

/**
 * Runs `task` (synchronous, e.g. removing a temp folder) when the harness exits, also on
 * Ctrl-C. Returns a function that cancels it.
 */
export function atExit(task) {
	installExitHooks();
	exitTasks.add(task);
	return () => exitTasks.delete(task);
}

/**
 * Starts a long-running process. Its stdout and stderr are kept in memory (the last 32 MiB)
 * and, with `logFile`, appended to that file.
 * @returns {ProcessHandle}
 */
export function startProcess({ name, command, args = [], env, cwd, logFile, uid, gid }) {
	installExitHooks();
	const child = spawn(command, args, {
		cwd,
		env,
		uid,
		gid,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
	const handle = {
		name,
		pid: child.pid,
		child,
		logFile,
		stdout: '',
		stderr: '',
		exit: undefined,
		get output() {
			return this.stdout + this.stderr;
		},
	};
	child.stdout.setEncoding('utf8');
	child.stderr.setEncoding('utf8');
	child.stdout.on('data', (chunk) => {
		handle.stdout = append(handle.stdout, chunk);
		log?.write(chunk);
	});
	child.stderr.on('data', (chunk) => {
		handle.stderr = append(handle.stderr, chunk);
		log?.write(chunk);
	});
	handle.exited = new Promise((resolve) => {
		child.once('error', (error) => {
			handle.exit = { code: null, signal: null, error };
			resolve(handle.exit);
		});
		// 'close' waits for the pipes, so all output is captured when this resolves.
		child.once('close', (code, signal) => {
			handle.exit ??= { code, signal };
			log?.end();
			resolve(handle.exit);
		});
	});
	if (child.pid !== undefined) running.add(handle);
	handle.exited.then(() => {
		if (!groupIsAlive(handle)) running.delete(handle);
	});
	return handle;
}

/**
 * Stops a process group: `signal` first, SIGKILL after `timeoutMs`. Also ends children that
 * outlived the group leader.
 */
export async function stopProcess(handle, { signal = 'SIGTERM', timeoutMs = 15_000 } = {}) {
	if (handle.pid === undefined) return;
	if (handle.exit === undefined) {
		signalGroup(handle, signal);
		await within(handle.exited, timeoutMs);
	}
	if (groupIsAlive(handle)) {
		signalGroup(handle, 'SIGKILL');
		await within(handle.exited, 5_000);
	}
	running.delete(handle);
}

/** Stops every process this harness started that is still running. */
export async function stopAll() {
	await Promise.all([...running].map((handle) => stopProcess(handle)));
}

/**
 * Runs a command to its end within `timeoutMs`; resolves with its exit code or signal, stdout
 * and stderr.
 */
export async function runCommand(options) {
	const { timeoutMs = 120_000, ...startOptions } = options;
	const handle = startProcess(startOptions);
	const finished = await within(handle.exited, timeoutMs);
	if (finished === undefined) {
		await stopProcess(handle, { timeoutMs: 5_000 });
		throw new Error(
			`${handle.name} did not finish within ${timeoutMs / 1000}s` + outputTail(handle.output),
		);
	}
	if (finished.error) {
		throw new Error(`${handle.name} could not start: ${finished.error.message}`);
	}
	if (groupIsAlive(handle)) await stopProcess(handle, { timeoutMs: 2_000 });
	return { ...finished, stdout: handle.stdout, stderr: handle.stderr };
}

/** Polls `check` until it returns a value other than undefined or false, or `timeoutMs` ends. */
/** With `owner`, fails as soon as that process exits. */
export async function waitFor(check, { what, timeoutMs = 60_000, intervalMs = 250, owner } = {}) {
	const deadline = Date.now() + timeoutMs;
	let lastError;
	while (Date.now() < deadline) {
		if (owner?.exit !== undefined) {
			throw new Error(
				`${owner.name} exited (${describeExit(owner.exit)}) while waiting for ${what}` +
					outputTail(owner.output),
			);
		}
		try {
			const value = await check();
			if (value !== undefined && value !== false) return value;
		} catch (error) {
			lastError = error;
		}
		await sleep(intervalMs);
	}
	const cause = lastError ? ` (last error: ${lastError.message})` : '';
	const tail = owner ? outputTail(owner.output) : '';
	throw new Error(`Timed out after ${timeoutMs / 1000}s waiting for ${what}${cause}${tail}`);
}

/** Waits until a process prints a line that matches `pattern`. */
export async function waitForOutput(handle, pattern, { timeoutMs = 60_000 } = {}) {
	return waitFor(() => pattern.test(handle.output), {
		what: `${handle.name} to print ${pattern}`,
		timeoutMs,
		owner: handle,
	});
}

export function describeExit({ code, signal, error }) {
	if (error) return error.message;
	return signal ? `signal ${signal}` : `code ${code}`;
}

export function outputTail(output, lines = 30) {
	const tail = output.trimEnd().split('\n').slice(-lines).join('\n');
	return tail ? `\n--- last output ---\n${tail}` : '';
}

/**
 * @typedef {object} ProcessHandle
 * @property {string} name
 * @property {number | undefined} pid
 * @property {string} stdout
 * @property {string} stderr
 * @property {string} output
 * @property {string | undefined} logFile
 * @property {{ code: number | null, signal: string | null, error?: Error } | undefined} exit
 * @property {Promise<{ code: number | null, signal: string | null }>} exited
 */
