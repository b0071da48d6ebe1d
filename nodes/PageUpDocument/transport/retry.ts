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

/** Why a budget said no more: the attempts are used up, or waiting would break the budget. */
export type RetryStop =
	| { reason: 'attempts' }
	| { reason: 'wait'; waitedMs: number }
	| { reason: 'retryAfter'; retryAfterSeconds: number; remainingMs: number };

/** Counts one request's attempts and waits between them; `next()` says whether to go on. */
export class RetryBudget {
	attempts = 1;

	/** Set once `next()` has said no, for the error to explain. */
	stop: RetryStop | undefined;

	private waitedMs = 0;

	constructor(private readonly policy: RetryPolicy) {}

	/**
	 * Waits before the next attempt and returns true, or returns false when attempts or waiting
	 * time are spent. A `Retry-After` that cannot be honoured within the budget ends the retries:
	 * asking again sooner than PageUp said would only be turned away again.
	 */
	async next(retryAfterSeconds?: number, onWait?: (delayMs: number) => void): Promise<boolean> {
		if (this.attempts >= this.policy.maxAttempts) {
			this.stop = { reason: 'attempts' };
			return false;
		}
		const remainingMs = this.policy.maxWaitMs - this.waitedMs;
		let delayMs: number;
		if (retryAfterSeconds !== undefined) {
			delayMs = retryAfterSeconds * 1000;
			if (delayMs > remainingMs) {
				this.stop = { reason: 'retryAfter', retryAfterSeconds, remainingMs };
				return false;
			}
		} else if (this.policy.maxWaitMs > 0 && remainingMs <= 0) {
			// Retrying at once after a spent budget would hammer a service that is already failing.
			this.stop = { reason: 'wait', waitedMs: this.waitedMs };
			return false;
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

/** The budget's reason to stop, in words for an error's description. */
export function describeStop(stop: RetryStop | undefined): string | undefined {
	if (stop === undefined || stop.reason === 'attempts') return undefined;
	if (stop.reason === 'wait') {
		const seconds = Math.round(stop.waitedMs / 1000);
		return `Retries stopped once the Max Retry Wait of ${seconds} s was spent.`;
	}
	return (
		`PageUp asked to wait ${Math.ceil(stop.retryAfterSeconds)} s (Retry-After) before trying ` +
		`again, more than the ${Math.floor(Math.max(0, stop.remainingMs) / 1000)} s left of ` +
		'Max Retry Wait (Seconds), so it was not retried.'
	);
}
