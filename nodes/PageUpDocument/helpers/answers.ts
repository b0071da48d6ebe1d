// What PageUp's answers are assumed to look like. PageUp does not publish the shapes of these
// answers, so each guess lives here, in one place, and every operation also passes the whole
// answer through to the user.
import type { IDataObject } from 'n8n-workflow';

function asObject(answer: unknown): IDataObject | undefined {
	return typeof answer === 'object' && answer !== null && !Array.isArray(answer)
		? (answer as IDataObject)
		: undefined;
}

function positiveInteger(value: unknown): number | undefined {
	const number = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
	return typeof number === 'number' && Number.isSafeInteger(number) && number > 0
		? number
		: undefined;
}

/** Assumption: `moveFromTemp` answers the new id, bare or under one of these names. */
export const DOCUMENT_ID_FIELDS = ['documentId', 'documentID', 'id', 'lDocumentID'];

export function findDocumentId(answer: unknown): number | undefined {
	const bare = positiveInteger(answer);
	if (bare !== undefined) return bare;
	const object = asObject(answer);
	if (object === undefined) return undefined;
	for (const field of DOCUMENT_ID_FIELDS) {
		const id = positiveInteger(object[field]);
		if (id !== undefined) return id;
	}
	return positiveInteger(asObject(object.document)?.id);
}

/** Assumption: the download link is under one of these names (Exports API uses the first). */
export const DOWNLOAD_URL_FIELDS = ['downloadUrl', 'url', 'documentUrl', 'fileUrl', 'uri', 'link'];

/** Assumption: the link's expiry, when PageUp sends it, comes under one of these names. */
export const EXPIRY_FIELDS = ['urlExpiration', 'expiresAt', 'expiry', 'expires'];

function httpUrl(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	try {
		const { protocol } = new URL(value);
		return protocol === 'https:' || protocol === 'http:' ? value : undefined;
	} catch {
		return undefined;
	}
}

export function findDownloadUrl(answer: unknown): string | undefined {
	const bare = httpUrl(answer);
	if (bare !== undefined) return bare;
	const object = asObject(answer);
	if (object === undefined) return undefined;
	for (const field of DOWNLOAD_URL_FIELDS) {
		const url = httpUrl(object[field]);
		if (url !== undefined) return url;
	}
	return undefined;
}

export function findExpiry(answer: unknown): string | undefined {
	const object = asObject(answer);
	for (const field of EXPIRY_FIELDS) {
		const value = object?.[field];
		if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) {
			return new Date(value).toISOString();
		}
	}
	return undefined;
}

// A gateway's error page may echo the request; its signatures and tokens must not reach an error.
const SECRET_IN_TEXT =
	/(X-Amz-(?:Signature|Security-Token|Credential)=)[^&\s"'<>]+|(Bearer\s+)[\w.~+/=-]+/gi;

/** The answer's shape (field names and value kinds), which is safe to show in an error. */
export function describeAnswer(answer: unknown): string {
	if (answer === undefined || answer === null || answer === '') return 'an empty answer';
	if (typeof answer === 'string') {
		const redacted = answer.replace(SECRET_IN_TEXT, (_, query, bearer) => `${query ?? bearer}…`);
		const start = redacted.trim().slice(0, 60).replace(/\s+/g, ' ');
		return `text that is not JSON ("${start}${redacted.trim().length > 60 ? '…' : ''}")`;
	}
	const object = asObject(answer);
	if (object === undefined) return `a JSON ${Array.isArray(answer) ? 'array' : typeof answer}`;
	const fields = Object.entries(object).map(([key, value]) => `${key} (${typeof value})`);
	return fields.length > 0 ? `a JSON object with ${fields.join(', ')}` : 'an empty JSON object';
}
