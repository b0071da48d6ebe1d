// The messages between the bench (parent, which runs the sandbox) and its worker (child, which
// runs n8n and the baseline client), so that the worker's memory is the node's alone.
import type { SandboxCredentials } from '../sandbox';

export interface UploadFile {
	path: string;
	fileName: string;
}

/**
 * Who does the work: the node in n8n's engine, the bare helper floor in the same engine (uploads
 * only), or the minimal client they are compared with.
 */
export type Runner = 'node' | 'helpers' | 'baseline';

export interface UploadJob {
	kind: 'upload';
	runner: Runner;
	files: UploadFile[];
	/** Undefined runs the node with its default; the baseline always needs one. */
	concurrency?: number;
	/** Sample the worker's resident memory while the job runs. */
	measureMemory?: boolean;
}

export interface DownloadUrlJob {
	kind: 'downloadUrl';
	runner: Runner;
	documentIds: number[];
	concurrency?: number;
}

export type Job = UploadJob | DownloadUrlJob;

export interface MemoryReport {
	/** Resident memory just before the execution started. */
	beforeBytes: number;
	/** The highest 20 ms sample while the timed part (the node, or the client) ran. */
	peakBytes: number;
	/** VmHWM from /proc after a clear_refs reset: the kernel's own peak over the whole job. */
	kernelPeakBytes?: number;
	samples: number;
}

export interface JobResult {
	/** The timed part: the node's own execution time as n8n records it, or the client's. */
	ms: number;
	/** The document id of each output item, in output order. */
	documentIds: Array<number | null>;
	/** Output items whose document id or pairing differs from the input item at that index. */
	orderErrors: number;
	/** The worker's CPU time (user and system) during the timed part, from 20 ms samples. */
	cpuMs: number;
	/** Reads of the stored credential during the job: in n8n each is a database query. */
	credentialReads: number;
	error?: string;
	memory?: MemoryReport;
}

export type ToWorker =
	| { type: 'init'; credentials: SandboxCredentials }
	| { type: 'job'; id: number; job: Job };

export type FromWorker =
	| { type: 'ready' }
	| { type: 'done'; id: number; result: JobResult }
	| { type: 'failed'; id: number; message: string };
