// Scripted failures: the next N requests of a kind answer what a test asked for.

import { milliseconds, SettingsError } from './settings';
import { REQUEST_KINDS } from './traffic';
import type { RequestKind } from './traffic';

export interface FaultSpec {
	kind: RequestKind;
	/** How many of the next requests of this kind fail; 1 unless given. */
	count?: number;
	/** 500 unless given, when the fault answers at all. */
	status?: number;
	/** Default: PageUp's JSON error array, OAuth's error object for token, S3 XML for put/get. */
	body?: string;
	/** Added to the answer, e.g. Retry-After. */
	headers?: Record<string, string>;
	/**
	 * Hold the request this long first. Alone, the request is then answered normally; with
	 * afterEffect on the API port, the work is done before the hold.
	 */
	delayMs?: number;
	/** Destroy the socket; a put first receives about half its body, a get sends about half. */
	reset?: boolean;
	/** Do the real work first, then answer the fault status anyway (move, put, prepare, link). */
	afterEffect?: boolean;
	/** put/get: answer as S3 does once a presigned URL has expired. */
	expireUploadUrl?: boolean;
}

export interface PendingFault {
	spec: FaultSpec;
	remaining: number;
}

/** A fault that answers with a status of its own, before or after the real work. */
export interface FaultAnswer {
	type: 'answer';
	fault: FaultSpec;
	status: number;
	afterEffect: boolean;
}

export type FaultOutcome = { type: 'pass' } | { type: 'reset' } | { type: 'expired' } | FaultAnswer;

export class FaultSpecError extends SettingsError {}

export class FaultQueue {
	private pendingFaults: PendingFault[] = [];

	inject(spec: FaultSpec): void {
		const checked = checkFaultSpec(spec);
		this.pendingFaults.push({ spec: checked, remaining: checked.count ?? 1 });
	}

	clear(): void {
		this.pendingFaults = [];
	}

	/** The fault the next request of this kind must suffer, oldest injection first. */
	take(kind: RequestKind): FaultSpec | undefined {
		const index = this.pendingFaults.findIndex((fault) => fault.spec.kind === kind);
		if (index < 0) return undefined;
		const fault = this.pendingFaults[index];
		fault.remaining -= 1;
		if (fault.remaining === 0) this.pendingFaults.splice(index, 1);
		return fault.spec;
	}

	pending(): PendingFault[] {
		return structuredClone(this.pendingFaults);
	}
}

/** What a request suffers: no fault, or a delay alone, passes. */
export function faultOutcome(fault: FaultSpec | undefined): FaultOutcome {
	if (fault === undefined) return { type: 'pass' };
	if (fault.reset === true) return { type: 'reset' };
	if (fault.expireUploadUrl === true) return { type: 'expired' };
	const answers =
		fault.status !== undefined || fault.afterEffect === true || fault.delayMs === undefined;
	if (!answers) return { type: 'pass' };
	return {
		type: 'answer',
		fault,
		status: fault.status ?? 500,
		afterEffect: fault.afterEffect === true,
	};
}

/** What PageUp's gateway says for a status when a fault gives no body of its own. */
export function apiFaultMessage(status: number): string {
	switch (status) {
		case 400:
			return 'The request is invalid.';
		case 401:
			return 'Authorization has been denied for this request.';
		case 403:
			return 'Forbidden.';
		case 404:
			return 'Not found.';
		case 429:
			return 'Daily rate limit exceeded.';
		case 500:
			return 'An error has occurred.';
		case 502:
			return 'Bad gateway.';
		case 503:
			return 'The service is unavailable.';
		case 504:
			return 'Gateway timeout.';
		default:
			return `The request failed with status ${status}.`;
	}
}

/** An OAuth server's error code for a status, for token faults. */
export function tokenFaultError(status: number): string {
	if (status === 400) return 'invalid_request';
	if (status === 401) return 'invalid_client';
	if (status === 429 || status === 503) return 'temporarily_unavailable';
	return 'server_error';
}

/** The S3 error code and message for a status, for put/get faults. */
export function s3FaultError(status: number): { code: string; message: string } {
	switch (status) {
		case 400:
			return { code: 'InvalidRequest', message: 'Invalid Request' };
		case 403:
			return { code: 'AccessDenied', message: 'Access Denied' };
		case 404:
			return { code: 'NoSuchKey', message: 'The specified key does not exist.' };
		case 501:
			return { code: 'NotImplemented', message: 'Not Implemented' };
		case 503:
			return { code: 'SlowDown', message: 'Please reduce your request rate.' };
		default:
			return {
				code: 'InternalError',
				message: 'We encountered an internal error. Please try again.',
			};
	}
}

/** Checks a fault that may come from JSON. */
export function checkFaultSpec(value: unknown): FaultSpec {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new FaultSpecError('A fault must be a JSON object with at least "kind".');
	}
	const spec: FaultSpec = { kind: 'token' };
	for (const [name, field] of Object.entries(value)) {
		if (field === undefined) continue;
		switch (name) {
			case 'kind': {
				const kind = REQUEST_KINDS.find((candidate) => candidate === field);
				if (kind === undefined) {
					throw new FaultSpecError(`kind must be one of: ${REQUEST_KINDS.join(', ')}.`);
				}
				spec.kind = kind;
				break;
			}
			case 'count':
				if (!Number.isInteger(field) || (field as number) < 1) {
					throw new FaultSpecError('count must be a positive integer.');
				}
				spec.count = field as number;
				break;
			case 'status':
				if (!Number.isInteger(field) || (field as number) < 100 || (field as number) > 599) {
					throw new FaultSpecError('status must be an HTTP status from 100 to 599.');
				}
				spec.status = field as number;
				break;
			case 'body':
				if (typeof field !== 'string') throw new FaultSpecError('body must be a string.');
				spec.body = field;
				break;
			case 'headers':
				spec.headers = stringRecord(field);
				break;
			case 'delayMs':
				spec.delayMs = milliseconds(name, field);
				break;
			case 'reset':
			case 'afterEffect':
			case 'expireUploadUrl':
				if (typeof field !== 'boolean') throw new FaultSpecError(`${name} must be a boolean.`);
				spec[name] = field;
				break;
			default:
				throw new FaultSpecError(`Unknown fault field "${name}".`);
		}
	}
	if (!('kind' in value)) throw new FaultSpecError('A fault needs a kind.');
	return spec;
}

function stringRecord(value: unknown): Record<string, string> {
	const valid =
		typeof value === 'object' &&
		value !== null &&
		!Array.isArray(value) &&
		Object.values(value).every((item) => typeof item === 'string');
	if (!valid) throw new FaultSpecError('headers must be an object of strings.');
	return { ...(value as Record<string, string>) };
}
