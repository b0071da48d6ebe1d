// The one way the node calls PageUp's Document API: authenticated, retried, and with errors that
// name the step, the status and PageUp's own messages.
import type {
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	JsonObject,
} from 'n8n-workflow';

import {
	failedStepError,
	networkFailure,
	pageUpMessages,
	retryAfterSeconds,
	type FailedAttempt,
	type Step,
} from './errors';
import { tokenExpired, TokenRenewals, type StoredCredential } from './renewal';
import { describeStop, RetryBudget, type RetryPolicy } from './retry';
import { tokenFailureMessage } from './token';

export const CREDENTIAL_TYPE = 'pageUpApi';

/** What every request of one execution shares, worked out once before the first item. */
export interface ApiContext {
	apiRootUrl: string;
	retry: RetryPolicy;
	timeoutMs: number;
	renewals: TokenRenewals;
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

/** A request that got no HTTP answer; n8n's wrapped error keeps the network code as httpCode. */
function failureOf(error: unknown): FailedAttempt & { token?: string } {
	const token = tokenFailureMessage(error);
	if (token !== undefined) return { messages: [], token };
	const { httpCode } = (error ?? {}) as { httpCode?: unknown };
	const status = Number(httpCode);
	if (Number.isInteger(status) && status >= 100) return { status, messages: [] };
	return { messages: [], network: networkFailure(httpCode) ?? 'no answer' };
}

function answerOf(response: IN8nHttpFullResponse): FailedAttempt {
	return {
		status: response.statusCode,
		messages: pageUpMessages(response.body),
		retryAfterSeconds: retryAfterSeconds(response.headers?.['retry-after']),
	};
}

// 429 and 503 mean PageUp turned the request away unread; refused connections never reached it.
function turnedAway({ status, network }: FailedAttempt): boolean {
	return status === 429 || status === 503 || network === networkFailure('ECONNREFUSED');
}

function outcomeUnknown({ status, network }: FailedAttempt): boolean {
	if (status !== undefined) return status >= 500;
	return network !== undefined;
}

function unknownOutcomeWords({ status, network }: FailedAttempt): string {
	return status !== undefined ? `HTTP ${status}` : (network ?? 'no answer');
}

/** What the user must know about work that PageUp may have done although the call failed. */
function outcomeHint(
	call: ApiCall,
	last: FailedAttempt,
	earlierUnknown: FailedAttempt | undefined,
): string | undefined {
	const physicalFile = call.context?.physicalFile;
	const waiting =
		typeof physicalFile === 'string'
			? ` The file's bytes wait in PageUp's temporary storage as physicalFile "${physicalFile}".`
			: '';
	if (!call.idempotent && outcomeUnknown(last) && !turnedAway(last)) {
		return (
			`PageUp may or may not have registered the document (${unknownOutcomeWords(last)}), so ` +
			'the request was not sent again: a repeat could file it twice.' +
			`${waiting} Check the record in PageUp before running this item again.`
		);
	}
	if (earlierUnknown !== undefined && last.status !== undefined && last.status < 500) {
		return (
			'An earlier attempt ended without a clear answer ' +
			`(${unknownOutcomeWords(earlierUnknown)}), ` +
			'so PageUp may already have carried it out and this answer may only reflect that.' +
			`${waiting} Check the record in PageUp before running this item again.`
		);
	}
	return undefined;
}

export async function storedCredential(this: IExecuteFunctions): Promise<StoredCredential> {
	const { id, name } = this.getNode().credentials?.[CREDENTIAL_TYPE] ?? {};
	const data = await this.getCredentials(CREDENTIAL_TYPE);
	return { id: id ?? '', name: name ?? '', type: CREDENTIAL_TYPE, data };
}

/**
 * Sends one attempt. HTTP errors come back as answers, not exceptions, so that PageUp's messages
 * and Retry-After survive (n8n's error wrapper drops them). A rejected or expired token is renewed
 * once, through n8n, and the request repeated.
 */
async function send(
	this: IExecuteFunctions,
	api: ApiContext,
	request: IHttpRequestOptions,
): Promise<IN8nHttpFullResponse> {
	const withCredential = async (credentialsDecrypted: ICredentialsDecrypted) =>
		(await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, request, {
			credentialsDecrypted,
		})) as IN8nHttpFullResponse;
	const normal = async () => await withCredential(await api.renewals.credential());

	const sentAt = api.renewals.generation;
	const credential = await api.renewals.credential();
	if (tokenExpired(credential.data)) {
		return await api.renewals.renew(sentAt, withCredential, normal);
	}
	const response = await withCredential(credential);
	if (response.statusCode !== 401) return response;
	this.logger.warn('PageUp rejected the access token, renewing it', { status: 401 });
	return await api.renewals.renew(sentAt, withCredential, normal);
}

export async function callPageUp(
	this: IExecuteFunctions,
	api: ApiContext,
	call: ApiCall,
): Promise<unknown> {
	const budget = new RetryBudget(api.retry);
	const { step, itemIndex } = call;
	const request: IHttpRequestOptions = {
		method: call.method,
		url: `${api.apiRootUrl}${call.path}`,
		qs: call.qs,
		body: call.body,
		json: true,
		timeout: api.timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		sendCredentialsOnCrossOriginRedirect: false,
		// PageUp's API does not redirect; not following keeps the token on PageUp's host and skips
		// a layer of n8n's HTTP client that costs CPU on every call.
		disableFollowRedirect: true,
	};

	// A repeat's answer may only reflect an earlier attempt that PageUp did carry out.
	let earlierUnknown: FailedAttempt | undefined;

	for (;;) {
		this.logger.debug('PageUp request', { step, itemIndex, attempt: budget.attempts });
		let attempt: FailedAttempt & { token?: string };
		try {
			const response = await send.call(this, api, request);
			if (response.statusCode >= 200 && response.statusCode < 300) return response.body;
			attempt = answerOf(response);
		} catch (error) {
			attempt = failureOf(error);
		}

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
				retryAfterSeconds: attempt.retryAfterSeconds,
				attempt: budget.attempts,
				delayMs,
			});
		if (retryable && (await budget.next(attempt.retryAfterSeconds, onWait))) {
			if (outcomeUnknown(attempt) && !turnedAway(attempt)) earlierUnknown = attempt;
			continue;
		}

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
			retryStop: retryable ? describeStop(budget.stop) : undefined,
			hint: outcomeHint(call, attempt, earlierUnknown),
		});
	}
}
