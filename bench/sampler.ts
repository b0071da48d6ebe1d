// What this process uses while a job runs, sampled every 20 ms so that the node's own window
// (n8n records its start and duration) can be cut out of the whole execution afterwards.
import { readFileSync, writeFileSync } from 'node:fs';

import type { MemoryReport } from './protocol';

const SAMPLE_EVERY_MS = 20;

interface Sample {
	at: number;
	rssBytes: number;
	cpuMs: number;
}

function kernelPeakBytes(): number | undefined {
	try {
		const status = readFileSync('/proc/self/status', 'utf8');
		const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
		return kib === undefined ? undefined : Number(kib) * 1024;
	} catch {
		return undefined;
	}
}

// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0 and later).
function resetKernelPeak(): boolean {
	try {
		writeFileSync('/proc/self/clear_refs', '5');
		return true;
	} catch {
		return false;
	}
}

function cpuMsNow(): number {
	const { user, system } = process.cpuUsage();
	return (user + system) / 1000;
}

export interface Window {
	/** Epoch ms. */
	from: number;
	to: number;
}

export class ProcessSampler {
	private readonly samples: Sample[] = [];

	private readonly timer: NodeJS.Timeout;

	private readonly kernelPeakReset: boolean;

	readonly beforeBytes: number;

	// No forced GC first: after a global.gc() V8 runs dozens of full collections during a 1 GiB
	// stream (measured: 3× the CPU time), which would weigh on whichever run came next.
	constructor() {
		this.beforeBytes = process.memoryUsage.rss();
		this.kernelPeakReset = resetKernelPeak();
		this.sample();
		this.timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
	}

	private sample() {
		this.samples.push({ at: Date.now(), rssBytes: process.memoryUsage.rss(), cpuMs: cpuMsNow() });
	}

	stop() {
		this.sample();
		clearInterval(this.timer);
	}

	private within({ from, to }: Window): Sample[] {
		return this.samples.filter(({ at }) => at >= from && at <= to);
	}

	/** RSS before the job against the highest sample in the window, and the kernel's peak. */
	memory(window: Window): MemoryReport {
		const within = this.within(window);
		return {
			beforeBytes: this.beforeBytes,
			peakBytes: Math.max(this.beforeBytes, ...within.map(({ rssBytes }) => rssBytes)),
			kernelPeakBytes: this.kernelPeakReset ? kernelPeakBytes() : undefined,
			samples: within.length,
		};
	}

	/** CPU time spent between the first and last sample in the window (within 20 ms of it). */
	cpuMs(window: Window): number {
		const within = this.within(window);
		if (within.length < 2) return Number.NaN;
		return within[within.length - 1].cpuMs - within[0].cpuMs;
	}
}
