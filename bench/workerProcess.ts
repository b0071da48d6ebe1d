// The parent's side of the worker: starts it, hands it jobs one at a time, stops it.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

import type { SandboxCredentials } from '../sandbox';
import type { FromWorker, Job, JobResult, ToWorker } from './protocol';

export class WorkerProcess {
	private nextId = 1;

	private readonly pending = new Map<
		number,
		{ resolve: (result: JobResult) => void; reject: (error: Error) => void }
	>();

	private constructor(private readonly child: ChildProcess) {
		child.on('message', (message: FromWorker) => {
			if (message.type === 'ready') return;
			const waiting = this.pending.get(message.id);
			this.pending.delete(message.id);
			if (message.type === 'done') waiting?.resolve(message.result);
			else waiting?.reject(new Error(`worker: ${message.message}`));
		});
		child.on('exit', (code) => {
			for (const { reject } of this.pending.values()) {
				reject(new Error(`the worker exited (code ${code}) during a job`));
			}
			this.pending.clear();
		});
	}

	/** A fresh process per scenario, so that one scenario's heap does not weigh on the next. */
	static async start(credentials: SandboxCredentials): Promise<WorkerProcess> {
		const child = fork(join(__dirname, 'worker.js'), [], { execArgv: [] });
		const worker = new WorkerProcess(child);
		await new Promise<void>((resolve, reject) => {
			child.once('error', reject);
			child.once('exit', (code) => reject(new Error(`the worker exited (code ${code}) on start`)));
			child.on('message', (message: FromWorker) => {
				if (message.type === 'ready') resolve();
			});
			worker.post({ type: 'init', credentials });
		});
		return worker;
	}

	private post(message: ToWorker) {
		this.child.send(message);
	}

	run(job: Job): Promise<JobResult> {
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			this.post({ type: 'job', id, job });
		});
	}

	async stop(): Promise<void> {
		if (this.child.exitCode !== null) return;
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		this.child.disconnect();
		await exited;
	}
}
