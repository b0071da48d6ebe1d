// The one way the node calls PageUp's Document API: authenticated, retried, and with errors that
// name the step, the status and PageUp's own messages.
import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, JsonObject } from 'n8n-workflow';

import {
	failedStepError,
	networkFailure,
	pageUpMessages,
	retryAfterSeconds,
	type FailedAttempt,
	type Step,
} from './errors';
import { RetryBudget, type RetryPolicy } from './retry';
import { isTokenRequestError } from './token';

export const CREDENTIAL_TYPE = 'pageUpApi';

/** What every request of one execution shares, worked out once before the first item. */
export interface ApiContext {
	apiRootUrl: string;
	retry: RetryPolicy;
	timeoutMs: number;
}

export interface ApiCall {
	step: Step;
	method: IHttpRequestMethods;
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	itemIndex: number;
	/**
	 * Whether repeating the call after an unknown outcome (a 5xx, a timeout, a reset) is harmless.
	 * Reads are; registering a new document is not, as the first call may have created it.
	 */
	idempotent: boolean;
	/** Facts for the error, should the call fail for good. */
	context?: JsonObject;
}

interface HttpFailure {
	httpCode?: unknown;
	cause?: {
		code?: unknown;
		status?: unknown;
		response?: { status?: unknown; data?: unknown; headers?: Record<string, unknown> };
	};
}

/** Reads n8n's wrapped HTTP error without keeping it: it holds the request and its token. */
function describeFailure(error: unknown): FailedAttempt & { token?: string } {
	if (isTokenRequestError(error)) return { messages: [], token: error.message };
	const { cause, httpCode } = (error ?? {}) as HttpFailure;
	if (isTokenRequestError(cause)) return { messages: [], token: cause.message };

	const response = cause?.response;
	const status = Number(response?.status ?? cause?.status ?? httpCode);
	if (Number.isInteger(status) && status >= 100) {
		return {
			status,
			messages: pageUpMessages(response?.data),
			retryAfterSeconds: retryAfterSeconds(response?.headers?.['retry-after']),
		};
	}
	return { messages: [], network: networkFailure(cause?.code) ?? 'no answer' };
}

// 429 and 503 mean PageUp turned the request away unread; refused connections never reached it.
function turnedAway({ status, network }: FailedAttempt): boolean {
	return status === 429 || status === 503 || network === networkFailure('ECONNREFUSED');
}

function outcomeUnknown({ status, network }: FailedAttempt): boolean {
	return (status !== undefined && status >= 500) || (status === undefined && network !== undefined);
}

export async function callPageUp(
	this: IExecuteFunctions,
	api: ApiContext,
	call: ApiCall,
): Promise<unknown> {
	const budget = new RetryBudget(api.retry);
	const { step, itemIndex } = call;

	for (;;) {
		this.logger.debug('PageUp request', { step, itemIndex, attempt: budget.attempts });
		try {
			return await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, {
				method: call.method,
				url: `${api.apiRootUrl}${call.path}`,
				qs: call.qs,
				body: call.body,
				json: true,
				timeout: api.timeoutMs,
				sendCredentialsOnCrossOriginRedirect: false,
			});
		} catch (error) {
			const attempt = describeFailure(error);
			if (attempt.token !== undefined) {
				this.logger.error('PageUp token request failed', { step, itemIndex });
				throw failedStepError(this.getNode(), {
					step,
					attempt: { messages: [attempt.token], network: 'no access token' },
					attempts: budget.attempts,
					itemIndex,
					hint: 'Fix the PageUp API credential, then run the workflow again.',
					context: call.context,
				});
			}

			const retryable = turnedAway(attempt) || (call.idempotent && outcomeUnknown(attempt));
			const onWait = (delayMs: number) =>
				this.logger.warn('PageUp request failed, retrying', {
					step,
					itemIndex,
					status: attempt.status,
					network: attempt.network,
					attempt: budget.attempts,
					delayMs,
				});
			if (retryable && (await budget.next(attempt.retryAfterSeconds, onWait))) continue;

			this.logger.error('PageUp request failed', {
				step,
				itemIndex,
				status: attempt.status,
				network: attempt.network,
				attempts: budget.attempts,
				messages: attempt.messages,
			});
			throw failedStepError(this.getNode(), {
				step,
				attempt,
				attempts: budget.attempts,
				itemIndex,
				context: call.context,
				hint:
					!call.idempotent && outcomeUnknown(attempt)
						? 'PageUp may or may not have registered the document, so it was not sent again ' +
							'(that could make a duplicate). Check the record in PageUp before running this item again.'
						: undefined,
			});
		}
	}
}
