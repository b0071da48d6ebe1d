// Counts and logs every call the sandbox answers, for assertions and benchmarks.

import type { IncomingMessage, ServerResponse } from 'node:http';

import { headerRecord } from './http';

export type RequestKind = 'token' | 'prepare' | 'put' | 'move' | 'link' | 'get';

/** Short name for {@link RequestKind}. */
export type Kind = RequestKind;

export const REQUEST_KINDS: readonly RequestKind[] = [
	'token',
	'prepare',
	'put',
	'move',
	'link',
	'get',
];

/** The calls that go to PageUp itself, as opposed to S3. */
const API_KINDS: ReadonlySet<RequestKind | 'other'> = new Set(['token', 'prepare', 'move', 'link']);

const DOCUMENT_KINDS: ReadonlySet<RequestKind | 'other'> = new Set(['prepare', 'move', 'link']);

const SECRET_QUERY_PARAMS = new Set(['x-amz-signature', 'x-amz-security-token']);

const SECRET_HEADERS = new Set(['cookie', 'proxy-authorization', 'x-amz-security-token']);

/** Long runs keep the newest records only. */
const MAX_RECORDS = 100_000;

export interface RequestRecord {
	/** 'other' is a request that matched no route. */
	kind: RequestKind | 'other';
	method: string;
	/** Path and query, with signatures redacted. */
	path: string;
	/** 0 when the connection closed before an answer was sent. */
	status: number;
	/** False when the connection closed before the answer was complete. */
	completed: boolean;
	/** Request headers, with credentials redacted. */
	headers: Record<string, string>;
	/** Request body bytes received. */
	bodySize: number;
	/** Epoch milliseconds. */
	startedAt: number;
	durationMs: number;
}

export interface SandboxStats {
	tokenRequests: number;
	tokensIssued: number;
	/** 401 answers to prepare, move and link calls. */
	rejectedApiCalls: number;
	requestsByKind: Record<RequestKind, number>;
	/** Most token, prepare, move and link calls handled at once (S3 excluded). */
	maxInFlight: number;
	/** Most calls of each kind, S3 included, handled at once. */
	maxInFlightByKind: Record<RequestKind, number>;
	/** PUTs that stored an object. */
	uploads: number;
}

/** What a handler knows better than the socket: bytes it read, or an answer sent out of band. */
export interface TrackedRequest {
	bodySize?: number;
	status?: number;
}

export class Traffic {
	private counters = emptyStats();

	private records: RequestRecord[] = [];

	private inFlight = 0;

	private readonly inFlightByKind = zeroPerKind();

	constructor(private readonly onRecord?: (record: RequestRecord) => void) {}

	/** Counts the request now and logs it once its connection is done with it. */
	track(kind: RequestKind | 'other', req: IncomingMessage, res: ServerResponse): TrackedRequest {
		const tracked: TrackedRequest = {};
		const startedAt = Date.now();
		const started = process.hrtime.bigint();
		const isApi = API_KINDS.has(kind);
		if (kind !== 'other') {
			this.counters.requestsByKind[kind] += 1;
			if (kind === 'token') this.counters.tokenRequests += 1;
			this.inFlightByKind[kind] += 1;
			this.counters.maxInFlightByKind[kind] = Math.max(
				this.counters.maxInFlightByKind[kind],
				this.inFlightByKind[kind],
			);
		}
		if (isApi) {
			this.inFlight += 1;
			this.counters.maxInFlight = Math.max(this.counters.maxInFlight, this.inFlight);
		}
		res.once('close', () => {
			if (kind !== 'other') this.inFlightByKind[kind] -= 1;
			if (isApi) this.inFlight -= 1;
			const status = tracked.status ?? (res.headersSent ? res.statusCode : 0);
			if (DOCUMENT_KINDS.has(kind) && status === 401) this.counters.rejectedApiCalls += 1;
			this.add({
				kind,
				method: req.method ?? '',
				path: redactQuery(req.url ?? ''),
				status,
				completed: res.writableFinished,
				headers: redactHeaders(headerRecord(req.headers)),
				bodySize: tracked.bodySize ?? (Number(req.headers['content-length']) || 0),
				startedAt,
				durationMs: Number(process.hrtime.bigint() - started) / 1e6,
			});
		});
		return tracked;
	}

	countTokenIssued(): void {
		this.counters.tokensIssued += 1;
	}

	countUpload(): void {
		this.counters.uploads += 1;
	}

	stats(): SandboxStats {
		return structuredClone(this.counters);
	}

	requests(): RequestRecord[] {
		return structuredClone(this.records);
	}

	/** Starts counting afresh; calls still running count towards the new maxima. */
	reset(): void {
		this.counters = emptyStats();
		this.counters.maxInFlight = this.inFlight;
		for (const kind of REQUEST_KINDS) {
			this.counters.maxInFlightByKind[kind] = this.inFlightByKind[kind];
		}
		this.records = [];
	}

	private add(record: RequestRecord): void {
		if (this.records.length >= MAX_RECORDS) this.records.splice(0, MAX_RECORDS / 10);
		this.records.push(record);
		this.onRecord?.(record);
	}
}

function emptyStats(): SandboxStats {
	return {
		tokenRequests: 0,
		tokensIssued: 0,
		rejectedApiCalls: 0,
		requestsByKind: zeroPerKind(),
		maxInFlight: 0,
		maxInFlightByKind: zeroPerKind(),
		uploads: 0,
	};
}

function zeroPerKind(): Record<RequestKind, number> {
	return { token: 0, prepare: 0, put: 0, move: 0, link: 0, get: 0 };
}

function redactQuery(url: string): string {
	const queryStart = url.indexOf('?');
	if (queryStart < 0) return url;
	const params = url
		.slice(queryStart + 1)
		.split('&')
		.map((param) => {
			const name = param.split('=')[0];
			return SECRET_QUERY_PARAMS.has(safeDecode(name).toLowerCase()) ? `${name}=REDACTED` : param;
		});
	return `${url.slice(0, queryStart)}?${params.join('&')}`;
}

function redactHeaders(headers: Record<string, string>): Record<string, string> {
	for (const name of Object.keys(headers)) {
		if (name === 'authorization') {
			const scheme = headers[name].split(' ')[0];
			headers[name] = `${scheme} REDACTED`;
		} else if (SECRET_HEADERS.has(name)) {
			headers[name] = 'REDACTED';
		}
	}
	return headers;
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}
