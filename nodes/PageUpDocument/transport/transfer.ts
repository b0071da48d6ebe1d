// Moving bytes to and from the presigned S3 URLs that PageUp hands out. These requests go out
// without PageUp's credentials: the URL's own signature is the authorisation.
import type { IBinaryData, IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';

import {
	failedStepError,
	networkFailure,
	s3Messages,
	retryAfterSeconds,
	type FailedAttempt,
} from './errors';
import { describeStop, RetryBudget, type RetryPolicy } from './retry';

/** A stream of bytes as n8n's binary helpers hand it out (node:stream may not be imported). */
type Readable = Awaited<ReturnType<IExecuteFunctions['helpers']['getBinaryStream']>>;

export interface PresignedUpload {
	url: string;
	headers: Record<string, string>;
}

/** Bytes to upload; `open` is called once per attempt, since a stream cannot be replayed. */
export interface UploadSource {
	size: number;
	open: () => Promise<Readable | Buffer>;
}

export interface TransferContext {
	retry: RetryPolicy;
	timeoutMs: number;
	itemIndex: number;
}

// A timeout sized for the body: the API timeout plus the time the bytes take at 1 MiB/s.
const SLOWEST_EXPECTED_BYTES_PER_MS = 1024 ** 2 / 1000;

function attemptOf(response: IN8nHttpFullResponse): FailedAttempt {
	return {
		status: response.statusCode,
		messages: s3Messages(response.body),
		retryAfterSeconds: retryAfterSeconds(response.headers?.['retry-after']),
	};
}

function networkAttempt(error: unknown): FailedAttempt {
	const { code } = (error ?? {}) as { code?: unknown };
	return { messages: [], network: networkFailure(code) ?? 'no answer' };
}

// S3 answers 403 AccessDenied "Request has expired" once the presigned URL is past its time.
function isExpired({ status, messages }: FailedAttempt): boolean {
	return status === 403 && messages.some((message) => /expired/i.test(message));
}

function isTransient({ status, network }: FailedAttempt): boolean {
	return network !== undefined || status === 429 || (status !== undefined && status >= 500);
}

/**
 * Waits and answers true when a failed attempt is worth repeating; logs the retry at warn, or
 * the final failure at error.
 */
async function retryIfTransient(
	this: IExecuteFunctions,
	budget: RetryBudget,
	attempt: FailedAttempt,
	{ failed, retrying, itemIndex }: { failed: string; retrying: string; itemIndex: number },
): Promise<boolean> {
	const facts = { itemIndex, status: attempt.status, network: attempt.network };
	const onWait = (delayMs: number) =>
		this.logger.warn(`${failed}, ${retrying}`, { ...facts, attempt: budget.attempts, delayMs });
	if (isTransient(attempt) && (await budget.next(attempt.retryAfterSeconds, onWait))) return true;
	this.logger.error(failed, { ...facts, attempts: budget.attempts, messages: attempt.messages });
	return false;
}

function destroy(body: Readable | Buffer | undefined) {
	if (body !== undefined && !Buffer.isBuffer(body)) body.destroy();
}

// S3 answers 307 while a new bucket's name spreads through DNS; 308 means the same. Both keep the
// method and the body, which this code sends again from the first byte.
const BODY_KEEPING_REDIRECTS = new Set([307, 308]);

const MAX_REDIRECTS = 3;

// A header that would break the request line or smuggle another header in.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function invalidHeader(headers: Record<string, string>): string | undefined {
	return Object.entries(headers).find(
		([name, value]) => !HEADER_NAME.test(name) || !HEADER_VALUE.test(value),
	)?.[0];
}

// The signed headers travel as PageUp gave them, except those that only the bytes can say.
function putHeaders(upload: PresignedUpload, size: number): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(upload.headers)) {
		const lower = name.toLowerCase();
		if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'host') continue;
		headers[name] = value;
	}
	headers['Content-Length'] = String(size);
	return headers;
}

function redirectTarget(response: IN8nHttpFullResponse, from: string): string | undefined {
	if (!BODY_KEEPING_REDIRECTS.has(response.statusCode)) return undefined;
	const location = response.headers?.location;
	if (typeof location !== 'string' || location === '') return undefined;
	try {
		const target = new URL(location, from);
		return target.protocol === 'https:' || target.protocol === 'http:' ? target.href : undefined;
	} catch {
		return undefined;
	}
}

/**
 * PUTs the bytes with exactly the headers PageUp returned, which S3 checks against the URL's
 * signature. Answers 'expired' when the URL's time ran out, so that the caller prepares anew.
 */
export async function putToPresignedUrl(
	this: IExecuteFunctions,
	upload: PresignedUpload,
	source: UploadSource,
	transfer: TransferContext,
): Promise<'stored' | 'expired'> {
	const budget = new RetryBudget(transfer.retry);
	const { itemIndex } = transfer;
	const timeout = transfer.timeoutMs + Math.ceil(source.size / SLOWEST_EXPECTED_BYTES_PER_MS);
	const badHeader = invalidHeader(upload.headers);
	if (badHeader !== undefined) {
		throw failedStepError(this.getNode(), {
			step: 'transfer',
			attempt: { messages: [`PageUp's upload header "${badHeader}" is not a valid HTTP header`] },
			attempts: 0,
			itemIndex,
			hint: 'Nothing was sent. Give this message to PageUp support.',
		});
	}
	const headers = putHeaders(upload, source.size);
	let url = upload.url;
	let redirects = 0;

	for (;;) {
		let attempt: FailedAttempt;
		let body: Readable | Buffer | undefined;
		try {
			// Every attempt reads the file again from its first byte: a stream cannot be rewound.
			body = await source.open();
			this.logger.debug('PageUp transfer', {
				itemIndex,
				bytes: source.size,
				attempt: budget.attempts,
				redirects,
			});
			const response = (await this.helpers.httpRequest({
				method: 'PUT',
				url,
				headers,
				body: body as Buffer,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				// n8n's client would hold the whole body in memory to replay it on a redirect, so
				// redirects are followed here, by opening the file again.
				disableFollowRedirect: true,
				timeout,
			})) as IN8nHttpFullResponse;
			if (response.statusCode >= 200 && response.statusCode < 300) return 'stored';
			const target = redirectTarget(response, url);
			if (target !== undefined && redirects < MAX_REDIRECTS) {
				redirects++;
				const { statusCode: status } = response;
				this.logger.debug('PageUp transfer redirected', { itemIndex, status });
				url = target;
				continue;
			}
			attempt = attemptOf(response);
		} catch (error) {
			attempt = networkAttempt(error);
		} finally {
			destroy(body);
		}

		if (isExpired(attempt)) {
			this.logger.warn('PageUp upload URL expired before the transfer, preparing a new one', {
				itemIndex,
			});
			return 'expired';
		}
		const retry = await retryIfTransient.call(this, budget, attempt, {
			failed: 'PageUp transfer failed',
			retrying: 'retrying from the first byte',
			itemIndex,
		});
		if (retry) continue;
		throw failedStepError(this.getNode(), {
			step: 'transfer',
			attempt,
			attempts: budget.attempts,
			itemIndex,
			retryStop: isTransient(attempt) ? describeStop(budget.stop) : undefined,
			hint: transferHint(attempt),
		});
	}
}

function transferHint({ status }: FailedAttempt): string | undefined {
	if (status === 403) {
		return (
			'Temporary storage refused the upload signature: a proxy between n8n and AWS may be ' +
			'changing the request headers. Nothing was registered in PageUp.'
		);
	}
	if (status !== undefined && status >= 300 && status < 400) {
		return 'Temporary storage redirected the upload elsewhere; nothing was registered in PageUp.';
	}
	if (status === 503) return 'Temporary storage asked to slow down: lower Concurrency, try again.';
	return 'Nothing was registered in PageUp, so running this item again is safe.';
}

/** Downloads a presigned link into n8n's binary storage, streaming, never whole in memory. */
export async function downloadFromUrl(
	this: IExecuteFunctions,
	url: string,
	fileName: string | undefined,
	transfer: TransferContext,
): Promise<IBinaryData> {
	const budget = new RetryBudget(transfer.retry);
	const { itemIndex } = transfer;

	for (;;) {
		let attempt: FailedAttempt;
		try {
			const response = (await this.helpers.httpRequest({
				method: 'GET',
				url,
				encoding: 'stream',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: transfer.timeoutMs,
			})) as IN8nHttpFullResponse;
			const stream = response.body as Readable;
			if (response.statusCode >= 200 && response.statusCode < 300) {
				const contentType = response.headers?.['content-type'];
				return await this.helpers.prepareBinaryData(
					stream,
					fileName,
					typeof contentType === 'string' ? contentType : undefined,
				);
			}
			attempt = attemptOf({ ...response, body: await readSmallBody(stream) });
		} catch (error) {
			attempt = networkAttempt(error);
		}

		const retry = await retryIfTransient.call(this, budget, attempt, {
			failed: 'PageUp download failed',
			retrying: 'retrying',
			itemIndex,
		});
		if (retry) continue;
		throw failedStepError(this.getNode(), {
			step: 'download',
			attempt,
			attempts: budget.attempts,
			itemIndex,
			retryStop: isTransient(attempt) ? describeStop(budget.stop) : undefined,
			hint: isExpired(attempt)
				? 'The link expired before the download: raise Expires In Seconds.'
				: undefined,
		});
	}
}

// Error bodies from S3 are a few hundred bytes of XML; stop reading well before anything large.
async function readSmallBody(stream: Readable, limit = 64 * 1024): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of stream) {
		chunks.push(Buffer.from(chunk as Buffer));
		size += (chunk as Buffer).length;
		if (size >= limit) break;
	}
	stream.destroy();
	return Buffer.concat(chunks).toString('utf8');
}
