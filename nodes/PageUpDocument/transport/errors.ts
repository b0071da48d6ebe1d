// Turns what PageUp, S3 or the network answered into errors a workflow builder can act on.
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

/** The four steps a user can see fail, named as the node's messages name them. */
export type Step = 'prepare' | 'transfer' | 'register' | 'download link' | 'download';

export const STEP_LABELS: Record<Step, string> = {
	prepare: 'Prepare upload (prepareTempDirectUpload)',
	transfer: 'Transfer bytes to temporary storage (S3 PUT)',
	register: 'Register document (moveFromTemp)',
	'download link': 'Get download link',
	download: 'Download file',
};

/** What one failed attempt looked like, with nothing in it that could hold a secret. */
export interface FailedAttempt {
	status?: number;
	/** PageUp's own messages, from its `[{ message, field }]` error array. */
	messages: string[];
	/** A network failure such as a reset or a timeout, in words. */
	network?: string;
	/** Seconds PageUp asked to wait, from `Retry-After`. */
	retryAfterSeconds?: number;
}

/** PageUp's error bodies are arrays of `{ message, field }`; single objects also occur. */
export function pageUpMessages(body: unknown): string[] {
	let parsed = body;
	if (typeof body === 'string') {
		try {
			parsed = JSON.parse(body);
		} catch {
			return [];
		}
	}
	const entries = Array.isArray(parsed) ? parsed : [parsed];
	return entries.flatMap((entry) => {
		if (typeof entry !== 'object' || entry === null) return [];
		const { message, field } = entry as { message?: unknown; field?: unknown };
		if (typeof message !== 'string' || message === '') return [];
		return [typeof field === 'string' && field !== '' ? `${field}: ${message}` : message];
	});
}

/** S3 answers in XML: `<Error><Code>SlowDown</Code><Message>...</Message></Error>`. */
export function s3Messages(body: unknown): string[] {
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : String(body ?? '');
	const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
	const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
	if (code === undefined) return [];
	return [message === undefined ? code : `${code}: ${message}`];
}

const NETWORK_WORDS: Record<string, string> = {
	ECONNRESET: 'the connection was reset',
	ECONNREFUSED: 'the connection was refused',
	ECONNABORTED: 'the request timed out',
	ETIMEDOUT: 'the request timed out',
	ESOCKETTIMEDOUT: 'the request timed out',
	ENOTFOUND: 'the host name was not found',
	EAI_AGAIN: 'the host name could not be looked up',
	EPIPE: 'the connection closed while sending',
	ERR_CANCELED: 'the execution was cancelled',
};

export function networkFailure(code: unknown): string | undefined {
	if (typeof code !== 'string') return undefined;
	return NETWORK_WORDS[code] ?? `a network error (${code.toLowerCase()})`;
}

export function retryAfterSeconds(value: unknown, now = Date.now()): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds);
	const date = Date.parse(String(value));
	return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

export interface FailureDetails {
	step: Step;
	attempt: FailedAttempt;
	attempts: number;
	itemIndex: number;
	/** What to do next; the default depends on the status. */
	hint?: string;
	/** Why the retries stopped before the attempts ran out, in words. */
	retryStop?: string;
	/** Extra facts that help, such as the document that may have been half made. */
	context?: JsonObject;
}

function defaultHint({ status, network }: FailedAttempt): string {
	if (status === 400) return 'Check the fields that PageUp named above.';
	if (status === 401) {
		return (
			"PageUp rejected the access token even after it was renewed: check the credential's " +
			'environment and tenant, and that its scopes include the one this operation needs.'
		);
	}
	if (status === 403) return 'Ask PageUp to grant this client the scope this operation needs.';
	if (status === 404)
		return "Check the document ID and the credential's tenant ID and data centre.";
	if (status === 429) {
		return 'Try again later, or lower Concurrency; ask PageUp about the limit if it persists.';
	}
	if (status !== undefined && status >= 500) return 'PageUp is failing: try again later.';
	if (network !== undefined) return 'Check the network between n8n and PageUp, then try again.';
	return 'Try again, and give PageUp support the step and status above if it persists.';
}

/** The status or network failure in a few words, for the message's parentheses. */
function whatHappened({ status, network }: FailedAttempt): string | undefined {
	if (status === 429) return "HTTP 429: PageUp's daily request limit may be spent";
	if (status !== undefined) return `HTTP ${status}`;
	return network;
}

/** The one error type the node throws for a failed request: step, status and PageUp's words. */
export function failedStepError(node: INode, details: FailureDetails): NodeApiError {
	const { step, attempt, attempts, itemIndex } = details;
	const what = whatHappened(attempt);
	const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
	const said = attempt.messages.length > 0 ? `: ${attempt.messages.join('; ')}` : '';
	const message = `PageUp ${step} step failed${what ? ` (${what})` : ''}${tries}${said}`;
	const advice = [details.retryStop, details.hint ?? defaultHint(attempt)].filter(Boolean);
	const description = `${STEP_LABELS[step]}. ${advice.join(' ')}`;

	const errorResponse: JsonObject = {
		step,
		attempts,
		messages: attempt.messages,
		...(attempt.status !== undefined && { httpCode: String(attempt.status) }),
		...(attempt.network !== undefined && { network: attempt.network }),
		...details.context,
	};
	return new NodeApiError(node, errorResponse, {
		message,
		description,
		httpCode: attempt.status !== undefined ? String(attempt.status) : undefined,
		itemIndex,
	});
}
