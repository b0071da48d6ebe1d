// The S3 side of a document's bytes: presigned PUT and GET, as strict as Amazon S3 about them.

import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';

import type { FaultAnswer, FaultQueue } from './faults';
import { faultOutcome, s3FaultError } from './faults';
import { drain, sleep } from './http';
import type { ObjectStore, ReceivedPart, StoredObject } from './objectStore';
import { parseQuery } from './sigv4';
import type { Query, S3Refusal, UrlSigner } from './sigv4';
import type { RequestKind, TrackedRequest, Traffic } from './traffic';

/** S3's limit for a single PUT. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

export interface S3ApiParts {
	bucket: string;
	store: ObjectStore;
	signer: UrlSigner;
	faults: FaultQueue;
	traffic: Traffic;
	signal: AbortSignal;
	onStored: (object: StoredObject) => void;
}

interface S3Target {
	rawPath: string;
	query: Query;
	bucket: string;
	key: string;
}

interface S3Call {
	req: IncomingMessage;
	res: ServerResponse;
	tracked: TrackedRequest;
	target: S3Target;
}

/** PUTs whose body is still arriving, so a cut-short body can be answered as S3 does. */
const uploadsBySocket = new WeakMap<Socket, TrackedRequest>();

export function createS3Listener(parts: S3ApiParts): RequestListener {
	return (req, res) => {
		handle(parts, req, res).catch((error: unknown) => {
			if (res.headersSent) {
				res.destroy();
				return;
			}
			const message = error instanceof Error ? error.message : String(error);
			sendError(res, { status: 500, code: 'InternalError', message });
		});
	};
}

/** Node's parser sees a body cut short by the client; S3 answers that with IncompleteBody. */
export function answerIncompleteBodies(server: Server): void {
	server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
		const upload = uploadsBySocket.get(socket);
		if (upload !== undefined && error.code === 'HPE_INVALID_EOF_STATE' && socket.writable) {
			upload.status = 400;
			socket.end(
				rawErrorResponse({
					status: 400,
					code: 'IncompleteBody',
					message:
						'You did not provide the number of bytes specified by the Content-Length HTTP header',
				}),
			);
			return;
		}
		if (error.code === 'ECONNRESET' || !socket.writable) socket.destroy();
		else socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
	});
}

async function handle(parts: S3ApiParts, req: IncomingMessage, res: ServerResponse) {
	const kind: RequestKind | 'other' =
		req.method === 'PUT' ? 'put' : req.method === 'GET' ? 'get' : 'other';
	const tracked = parts.traffic.track(kind, req, res);
	const target = parseTarget(req.url ?? '/');
	if (target === undefined) {
		await drain(req);
		sendError(res, {
			status: 400,
			code: 'InvalidURI',
			message: "Couldn't parse the specified URI.",
		});
		return;
	}
	const call: S3Call = { req, res, tracked, target };
	if (kind === 'other') {
		await drain(req);
		sendError(res, {
			status: 405,
			code: 'MethodNotAllowed',
			message: 'The specified method is not allowed against this resource.',
		});
		return;
	}
	const fault = parts.faults.take(kind);
	if (fault?.delayMs !== undefined) await sleep(fault.delayMs, parts.signal);
	const outcome = faultOutcome(fault);
	if (outcome.type === 'expired') {
		await drain(req);
		sendError(res, { status: 403, code: 'AccessDenied', message: 'Request has expired' });
		return;
	}
	if (outcome.type === 'answer' && !(outcome.afterEffect && kind === 'put')) {
		await drain(req);
		sendFault(res, outcome);
		return;
	}
	const resetHalfway = outcome.type === 'reset';
	if (kind === 'put') {
		if (resetHalfway) await resetDuringBody(call, parts);
		else await put(call, parts, outcome.type === 'answer' ? outcome : undefined);
	} else {
		await get(call, parts, resetHalfway);
	}
}

async function put(call: S3Call, parts: S3ApiParts, failAfterStoring: FaultAnswer | undefined) {
	const { req, res, tracked, target } = call;
	if (req.headers['transfer-encoding'] !== undefined) {
		await drain(req);
		sendError(
			res,
			{
				status: 501,
				code: 'NotImplemented',
				message: 'A header you provided implies functionality that is not implemented',
			},
			'<Header>Transfer-Encoding</Header>',
		);
		return;
	}
	const declared = req.headers['content-length'];
	if (declared === undefined) {
		await drain(req);
		sendError(res, {
			status: 411,
			code: 'MissingContentLength',
			message: 'You must provide the Content-Length HTTP header.',
		});
		return;
	}
	const size = Number(declared);
	if (size > MAX_PUT_BYTES) {
		// Reading five gigabytes only to refuse them helps nobody; S3 hangs up too.
		sendError(
			res,
			{
				status: 400,
				code: 'EntityTooLarge',
				message: 'Your proposed upload exceeds the maximum allowed size',
			},
			'',
			{ Connection: 'close' },
		);
		return;
	}
	const refusal = await refuse(call, parts);
	if (refusal !== undefined) {
		await drain(req);
		sendError(res, refusal);
		return;
	}
	uploadsBySocket.set(req.socket, tracked);
	let part: ReceivedPart;
	try {
		part = await parts.store.receive(req, (bytes) => (tracked.bodySize = bytes));
	} catch {
		// The client went away, or sent fewer bytes than it declared (answered as IncompleteBody).
		return;
	} finally {
		uploadsBySocket.delete(req.socket);
	}
	const contentType = req.headers['content-type'] ?? DEFAULT_CONTENT_TYPE;
	const object = await parts.store.commit(part, target.key, contentType);
	parts.traffic.countUpload();
	parts.onStored(object);
	if (failAfterStoring !== undefined) {
		sendFault(res, failAfterStoring);
		return;
	}
	res.writeHead(200, {
		ETag: etag(object),
		'x-amz-request-id': requestId(),
		...encryptionHeader(req),
		'Content-Length': 0,
	});
	res.end();
}

/** A connection that drops after about half the body, as a flaky network does. */
async function resetDuringBody(call: S3Call, parts: S3ApiParts) {
	const { req, tracked } = call;
	const half = Math.floor((Number(req.headers['content-length']) || 0) / 2);
	if (half === 0) {
		req.socket.destroy();
		return;
	}
	await parts.store
		.receive(req, (bytes) => {
			tracked.bodySize = bytes;
			if (bytes >= half) req.socket.destroy();
		})
		.catch(() => undefined);
	req.socket.destroy();
}

async function get(call: S3Call, parts: S3ApiParts, resetHalfway: boolean) {
	const { res, target } = call;
	const refusal = await refuse(call, parts);
	if (refusal !== undefined) {
		if (resetHalfway) res.destroy();
		else sendError(res, refusal);
		return;
	}
	const opened = await parts.store.openObject(target.key);
	if (opened === undefined) {
		if (resetHalfway) res.destroy();
		else {
			sendError(
				res,
				{ status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' },
				`<Key>${escapeXml(target.key)}</Key>`,
			);
		}
		return;
	}
	const { object, file } = opened;
	const override = (name: string): string | undefined => {
		const value = target.query[name];
		return Array.isArray(value) ? value[0] : value;
	};
	const headers: Record<string, string | number> = {
		'Content-Type': override('response-content-type') ?? object.contentType,
		'Content-Length': object.size,
		ETag: etag(object),
		'Last-Modified': object.storedAt.toUTCString(),
		'x-amz-server-side-encryption': 'AES256',
		'x-amz-request-id': requestId(),
	};
	const disposition = override('response-content-disposition');
	if (disposition !== undefined) headers['Content-Disposition'] = disposition;
	res.writeHead(200, headers);
	try {
		if (resetHalfway) {
			const half = Math.floor(object.size / 2);
			if (half > 0) {
				await pipeline(file.createReadStream({ start: 0, end: half - 1, autoClose: false }), res, {
					end: false,
				});
			}
			res.destroy();
			return;
		}
		await pipeline(file.createReadStream({ autoClose: false }), res);
	} catch {
		// The client stopped reading; nothing is left to answer.
	} finally {
		await file.close().catch(() => undefined);
	}
}

async function refuse(call: S3Call, parts: S3ApiParts): Promise<S3Refusal | undefined> {
	const { req, target } = call;
	if (target.bucket !== parts.bucket) {
		return { status: 404, code: 'NoSuchBucket', message: 'The specified bucket does not exist' };
	}
	if (target.key === '') {
		return { status: 403, code: 'AccessDenied', message: 'Access Denied' };
	}
	return parts.signer.refusal({
		method: req.method ?? '',
		rawPath: target.rawPath,
		query: target.query,
		headers: req.headers,
	});
}

function parseTarget(url: string): S3Target | undefined {
	const queryStart = url.indexOf('?');
	const rawPath = queryStart < 0 ? url : url.slice(0, queryStart);
	const rawQuery = queryStart < 0 ? '' : url.slice(queryStart + 1);
	const match = /^\/([^/]+)(?:\/(.*))?$/.exec(rawPath);
	if (match === null) return undefined;
	try {
		return {
			rawPath,
			query: parseQuery(rawQuery),
			bucket: decodeURIComponent(match[1]),
			key: decodeURIComponent(match[2] ?? ''),
		};
	} catch {
		return undefined;
	}
}

function sendFault(res: ServerResponse, { fault, status }: FaultAnswer): void {
	if (res.destroyed || res.headersSent) return;
	const body = fault.body ?? errorXml({ status, ...s3FaultError(status) });
	res.writeHead(status, {
		'Content-Type': 'application/xml',
		'Content-Length': Buffer.byteLength(body),
		'x-amz-request-id': requestId(),
		...fault.headers,
	});
	res.end(body);
}

function sendError(
	res: ServerResponse,
	refusal: S3Refusal,
	extra = '',
	headers: Record<string, string> = {},
): void {
	if (res.destroyed || res.headersSent) return;
	const body = errorXml(refusal, extra);
	res.writeHead(refusal.status, {
		'Content-Type': 'application/xml',
		'Content-Length': Buffer.byteLength(body),
		'x-amz-request-id': requestId(),
		...headers,
	});
	res.end(body);
}

function rawErrorResponse(refusal: S3Refusal): string {
	const body = errorXml(refusal);
	return (
		`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n` +
		'Content-Type: application/xml\r\n' +
		`Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
	);
}

function errorXml(refusal: S3Refusal, extra = ''): string {
	return (
		'<?xml version="1.0" encoding="UTF-8"?>\n' +
		`<Error><Code>${refusal.code}</Code><Message>${escapeXml(refusal.message)}</Message>` +
		`${extra}<RequestId>${requestId()}</RequestId></Error>`
	);
}

function escapeXml(text: string): string {
	return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Real S3 puts an MD5 here; a slice of the SHA-256 is as good for telling versions apart. */
function etag(object: StoredObject): string {
	return `"${object.sha256.slice(0, 32)}"`;
}

function encryptionHeader(req: IncomingMessage): Record<string, string> {
	const value = req.headers['x-amz-server-side-encryption'];
	return typeof value === 'string' ? { 'x-amz-server-side-encryption': value } : {};
}

function requestId(): string {
	return randomBytes(8).toString('hex').toUpperCase();
}
