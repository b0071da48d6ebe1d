// Resident memory of this process while a job runs: sampled every 20 ms, and the kernel's peak.
import { readFileSync, writeFileSync } from 'node:fs';

import type { MemoryReport } from './protocol';

const SAMPLE_EVERY_MS = 20;

const collectGarbage = (globalThis as { gc?: () => void }).gc;

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

export class MemorySampler {
	private readonly samples: Array<[at: number, bytes: number]> = [];

	private readonly timer: NodeJS.Timeout;

	private readonly kernelPeakReset: boolean;

	readonly beforeBytes: number;

	constructor() {
		collectGarbage?.();
		this.beforeBytes = process.memoryUsage.rss();
		this.kernelPeakReset = resetKernelPeak();
		this.timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
	}

	private sample() {
		this.samples.push([Date.now(), process.memoryUsage.rss()]);
	}

	/** The peak within [from, to] (epoch ms); the whole job when not given. */
	stop(from = 0, to = Number.POSITIVE_INFINITY): MemoryReport {
		this.sample();
		clearInterval(this.timer);
		const within = this.samples.filter(([at]) => at >= from && at <= to);
		return {
			beforeBytes: this.beforeBytes,
			peakBytes: Math.max(this.beforeBytes, ...within.map(([, bytes]) => bytes)),
			kernelPeakBytes: this.kernelPeakReset ? kernelPeakBytes() : undefined,
			samples: within.length,
		};
	}
}
