// Presigned S3 URLs: made with AWS's own presigner, checked again with AWS's own signer.

import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

import { headerValue } from './http';

export const S3_REGION = 'ap-southeast-2';

const S3_SERVICE = 's3';

const ALGORITHM = 'AWS4-HMAC-SHA256';

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

const CONTENT_SHA256_HEADER = 'x-amz-content-sha256';

const MAX_EXPIRES_SECONDS = 604800;

/** S3 accepts a signing time this far ahead of its own clock. */
const CLOCK_SKEW_MS = 15 * 60 * 1000;

const REQUIRED_QUERY_PARAMS = [
	'X-Amz-Credential',
	'X-Amz-Date',
	'X-Amz-Expires',
	'X-Amz-SignedHeaders',
	'X-Amz-Signature',
];

export interface SigningKeys {
	accessKeyId: string;
	secretAccessKey: string;
}

export type Query = Record<string, string | string[]>;

/** A request as it arrived, before anything was decoded or normalised. */
export interface ReceivedRequest {
	method: string;
	rawPath: string;
	query: Query;
	headers: IncomingHttpHeaders;
}

export interface S3Refusal {
	status: number;
	code: string;
	message: string;
}

export interface PresignOptions {
	/** Headers the client must send exactly; they are signed, never hoisted into the query. */
	headers?: Record<string, string>;
	query?: Record<string, string>;
	expiresInSeconds: number;
	signingDate?: Date;
}

/** Percent-encodes as SigV4 does: everything but A-Z a-z 0-9 - _ . ~ */
export function escapeUri(text: string): string {
	return encodeURIComponent(text).replace(
		/[!'()*]/g,
		(char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
	);
}

/** The path-style path of an object, each key segment encoded once. */
export function objectPath(bucket: string, key: string): string {
	return `/${escapeUri(bucket)}/${key.split('/').map(escapeUri).join('/')}`;
}

/** Splits a raw query string; unlike a form, `+` stays a plus, as SigV4 reads it. */
export function parseQuery(rawQuery: string): Query {
	const query: Query = {};
	for (const param of rawQuery.split('&')) {
		if (param === '') continue;
		const equals = param.indexOf('=');
		const name = decodeURIComponent(equals < 0 ? param : param.slice(0, equals));
		const value = equals < 0 ? '' : decodeURIComponent(param.slice(equals + 1));
		const existing = query[name];
		if (existing === undefined) query[name] = value;
		else query[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
	}
	return query;
}

export interface UrlSignerOptions {
	keys: SigningKeys;
	bucket: string;
	hostname: string;
	port: number;
	/** ap-southeast-2, PageUp's AUS region, unless given. */
	region?: string;
}

export class UrlSigner {
	private readonly keys: SigningKeys;

	private readonly bucket: string;

	private readonly hostname: string;

	private readonly port: number;

	private readonly region: string;

	private readonly presigner: S3RequestPresigner;

	private readonly verifier: SignatureV4;

	/** The X-Amz-Signature of every URL handed out, so a test can look for leaks. */
	private readonly signatures: string[] = [];

	constructor(options: UrlSignerOptions) {
		this.keys = options.keys;
		this.bucket = options.bucket;
		this.hostname = options.hostname;
		this.port = options.port;
		this.region = options.region ?? S3_REGION;
		const signerInit = {
			credentials: this.keys,
			region: this.region,
			service: S3_SERVICE,
			sha256: Hash.bind(null, 'sha256'),
			// S3 signs the path as sent, not encoded a second time.
			uriEscapePath: false,
		};
		this.presigner = new S3RequestPresigner(signerInit);
		this.verifier = new SignatureV4(signerInit);
	}

	async presign(method: 'PUT' | 'GET', key: string, options: PresignOptions): Promise<string> {
		const headers = options.headers ?? {};
		const signed = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
		const request = new HttpRequest({
			method,
			protocol: 'http:',
			hostname: this.hostname,
			port: this.port,
			path: objectPath(this.bucket, key),
			query: { ...options.query },
			headers: { host: `${this.hostname}:${this.port}`, ...headers },
		});
		// The presigner leaves Content-Type unsigned unless told; PageUp's URLs sign it.
		const presigned = await this.presigner.presign(request, {
			expiresIn: options.expiresInSeconds,
			signingDate: options.signingDate,
			signableHeaders: signed,
			unhoistableHeaders: new Set(signed),
		});
		const signature = presigned.query?.['X-Amz-Signature'];
		if (typeof signature === 'string') this.signatures.push(signature);
		const query = formatQuery(presigned.query ?? {});
		return `http://${this.hostname}:${this.port}${presigned.path}?${query}`;
	}

	issuedSignatures(): string[] {
		return [...this.signatures];
	}

	/** Why S3 would refuse this request's query signature, or undefined when it is good. */
	async refusal(request: ReceivedRequest, now = Date.now()): Promise<S3Refusal | undefined> {
		const { query, headers } = request;
		const hasQueryAuth = query['X-Amz-Algorithm'] !== undefined;
		if (headers.authorization !== undefined && hasQueryAuth) {
			return {
				status: 400,
				code: 'InvalidArgument',
				message:
					'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, ' +
					'Signature query string parameter or the Authorization header should be specified',
			};
		}
		if (!hasQueryAuth) {
			return { status: 403, code: 'AccessDenied', message: 'Access Denied' };
		}
		const params = singleValues(query);
		if (params['X-Amz-Algorithm'] !== ALGORITHM) {
			return queryError(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
		}
		if (REQUIRED_QUERY_PARAMS.some((name) => params[name] === undefined)) {
			return queryError(
				'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, ' +
					'X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
			);
		}
		const credential = params['X-Amz-Credential'].split('/');
		const [accessKeyId, credentialDate, region, service, terminator] = credential;
		if (credential.length !== 5 || service !== S3_SERVICE || terminator !== 'aws4_request') {
			return queryError('Error parsing the X-Amz-Credential parameter.');
		}
		if (accessKeyId !== this.keys.accessKeyId) {
			return {
				status: 403,
				code: 'InvalidAccessKeyId',
				message: 'The AWS Access Key Id you provided does not exist in our records.',
			};
		}
		if (region !== this.region) {
			return queryError(
				`Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; ` +
					`expecting '${this.region}'`,
			);
		}
		const signedAt = parseAmzDate(params['X-Amz-Date']);
		if (signedAt === undefined) {
			return queryError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
		}
		if (credentialDate !== params['X-Amz-Date'].slice(0, 8)) {
			return queryError('Invalid credential date. Date is not the same as X-Amz-Date.');
		}
		const expires = params['X-Amz-Expires'];
		if (!/^\d+$/.test(expires) || Number(expires) < 1) {
			return queryError('X-Amz-Expires should be a number');
		}
		if (Number(expires) > MAX_EXPIRES_SECONDS) {
			return queryError(
				`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_SECONDS}`,
			);
		}
		if (now > signedAt.getTime() + Number(expires) * 1000) {
			return { status: 403, code: 'AccessDenied', message: 'Request has expired' };
		}
		if (signedAt.getTime() > now + CLOCK_SKEW_MS) {
			return { status: 403, code: 'AccessDenied', message: 'Request is not valid yet' };
		}
		const signedHeaders = params['X-Amz-SignedHeaders'].split(';');
		const unsigned = Object.keys(headers).find(
			(name) => name.startsWith('x-amz-') && !signedHeaders.includes(name),
		);
		if (unsigned !== undefined) {
			return {
				status: 403,
				code: 'AccessDenied',
				message: 'There were headers present in the request which were not signed',
			};
		}
		const expected = await this.expectedSignature(request, signedHeaders, signedAt, expires);
		if (expected === undefined || !sameHex(expected, params['X-Amz-Signature'])) {
			return {
				status: 403,
				code: 'SignatureDoesNotMatch',
				message:
					'The request signature we calculated does not match the signature you provided. ' +
					'Check your key and signing method.',
			};
		}
		return undefined;
	}

	/** Signs the request again from what arrived, with the date and expiry it claims. */
	private async expectedSignature(
		request: ReceivedRequest,
		signedHeaders: string[],
		signedAt: Date,
		expires: string,
	): Promise<string | undefined> {
		const headers: Record<string, string> = {};
		for (const name of signedHeaders) {
			const value = headerValue(request.headers[name]);
			// A signed header that did not arrive cannot match.
			if (value === undefined) return undefined;
			headers[name] = value;
		}
		// Query signatures always cover an unsigned payload; the signer reads that from here.
		const unsignable = new Set<string>();
		if (!signedHeaders.includes(CONTENT_SHA256_HEADER)) {
			headers[CONTENT_SHA256_HEADER] = UNSIGNED_PAYLOAD;
			unsignable.add(CONTENT_SHA256_HEADER);
		}
		const query: Query = { ...request.query };
		delete query['X-Amz-Signature'];
		const signed = new Set(signedHeaders);
		const resigned = await this.verifier.presign(
			new HttpRequest({
				method: request.method,
				protocol: 'http:',
				hostname: this.hostname,
				port: this.port,
				path: request.rawPath,
				query,
				headers,
			}),
			{
				signingDate: signedAt,
				expiresIn: Number(expires),
				signableHeaders: signed,
				unsignableHeaders: unsignable,
				unhoistableHeaders: new Set([...signed, CONTENT_SHA256_HEADER]),
			},
		);
		const signature = resigned.query?.['X-Amz-Signature'];
		return typeof signature === 'string' ? signature : undefined;
	}
}

function queryError(message: string): S3Refusal {
	return { status: 400, code: 'AuthorizationQueryParametersError', message };
}

function singleValues(query: Query): Record<string, string> {
	const values: Record<string, string> = {};
	for (const [name, value] of Object.entries(query)) {
		values[name] = Array.isArray(value) ? value[0] : value;
	}
	return values;
}

function parseAmzDate(text: string): Date | undefined {
	const parts = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
	if (parts === null) return undefined;
	const [year, month, day, hours, minutes, seconds] = parts.slice(1).map(Number);
	const date = new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds));
	return Number.isNaN(date.getTime()) ? undefined : date;
}

function sameHex(expected: string, received: string): boolean {
	const a = Buffer.from(expected, 'utf8');
	const b = Buffer.from(received, 'utf8');
	return a.length === b.length && timingSafeEqual(a, b);
}

function formatQuery(query: Record<string, string | string[] | null>): string {
	const params: string[] = [];
	for (const [name, value] of Object.entries(query)) {
		if (value === null) continue;
		for (const item of Array.isArray(value) ? value : [value]) {
			params.push(`${escapeUri(name)}=${escapeUri(item)}`);
		}
	}
	return params.join('&');
}
