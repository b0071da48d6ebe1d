// How long to wait between attempts: exponential backoff with jitter, within a total budget.
import { sleep } from 'n8n-workflow';

export interface RetryPolicy {
	/** Attempts in all, the first one included. */
	maxAttempts: number;
	/** The most time, in all, spent waiting between attempts of one request. */
	maxWaitMs: number;
	initialDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 4,
	maxWaitMs: 60_000,
	initialDelayMs: 1_000,
};

/** Counts one request's attempts and waits between them; `next()` says whether to go on. */
export class RetryBudget {
	attempts = 1;

	private waitedMs = 0;

	constructor(private readonly policy: RetryPolicy) {}

	/**
	 * Waits before the next attempt and returns true, or returns false when attempts or waiting
	 * time are spent. A `Retry-After` that cannot be honoured within the budget ends the retries.
	 */
	async next(retryAfterSeconds?: number, onWait?: (delayMs: number) => void): Promise<boolean> {
		if (this.attempts >= this.policy.maxAttempts) return false;
		const remainingMs = this.policy.maxWaitMs - this.waitedMs;
		let delayMs: number;
		if (retryAfterSeconds !== undefined) {
			delayMs = retryAfterSeconds * 1000;
			if (delayMs > remainingMs) return false;
		} else {
			// Half fixed, half random, so that parallel items do not retry in step.
			const backoffMs = this.policy.initialDelayMs * 2 ** (this.attempts - 1);
			delayMs = Math.min(remainingMs, backoffMs / 2 + Math.random() * (backoffMs / 2));
		}
		delayMs = Math.max(0, Math.round(delayMs));
		onWait?.(delayMs);
		if (delayMs > 0) await sleep(delayMs);
		this.waitedMs += delayMs;
		this.attempts++;
		return true;
	}
}
