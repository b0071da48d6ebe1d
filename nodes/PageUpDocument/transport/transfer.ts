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
import { RetryBudget, type RetryPolicy } from './retry';

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

function destroy(body: Readable | Buffer | undefined) {
	if (body !== undefined && !Buffer.isBuffer(body)) body.destroy();
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

	for (;;) {
		let attempt: FailedAttempt;
		let body: Readable | Buffer | undefined;
		try {
			body = await source.open();
			this.logger.debug('PageUp transfer', { itemIndex, bytes: source.size, attempt: budget.attempts });
			const response = (await this.helpers.httpRequest({
				method: 'PUT',
				url: upload.url,
				headers: { ...upload.headers, 'Content-Length': String(source.size) },
				body: body as Buffer,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				// Following redirects would make n8n's HTTP client hold the whole body for replay.
				disableFollowRedirect: true,
				timeout,
			})) as IN8nHttpFullResponse;
			if (response.statusCode >= 200 && response.statusCode < 300) return 'stored';
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
		const onWait = (delayMs: number) =>
			this.logger.warn('PageUp transfer failed, retrying from the first byte', {
				itemIndex,
				status: attempt.status,
				network: attempt.network,
				attempt: budget.attempts,
				delayMs,
			});
		if (isTransient(attempt) && (await budget.next(attempt.retryAfterSeconds, onWait))) continue;

		this.logger.error('PageUp transfer failed', {
			itemIndex,
			status: attempt.status,
			network: attempt.network,
			attempts: budget.attempts,
			messages: attempt.messages,
		});
		throw failedStepError(this.getNode(), {
			step: 'transfer',
			attempt,
			attempts: budget.attempts,
			itemIndex,
			hint:
				attempt.status === 403
					? 'Temporary storage refused the upload signature: a proxy between n8n and AWS may ' +
						'be changing the request headers.'
					: undefined,
		});
	}
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

		const onWait = (delayMs: number) =>
			this.logger.warn('PageUp download failed, retrying', {
				itemIndex,
				status: attempt.status,
				network: attempt.network,
				attempt: budget.attempts,
				delayMs,
			});
		if (isTransient(attempt) && (await budget.next(attempt.retryAfterSeconds, onWait))) continue;

		this.logger.error('PageUp download failed', {
			itemIndex,
			status: attempt.status,
			network: attempt.network,
			attempts: budget.attempts,
		});
		throw failedStepError(this.getNode(), {
			step: 'download',
			attempt,
			attempts: budget.attempts,
			itemIndex,
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
