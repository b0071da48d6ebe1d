// What PageUp accepts: file names, moveFromTemp bodies, link expiry, and inferred content types.

import { extname } from 'node:path';

import {
	DOWNLOAD_LINK_SECONDS,
	MAX_FILE_NAME_BYTES,
	SYSTEM_DOCUMENT_CATEGORIES,
} from './constants';

export interface DocumentLinks {
	providerID?: number;
	applicationId?: number;
	applicantId?: number;
	jobId?: number;
	offerId?: number;
}

export interface FieldError {
	message: string;
	field?: string;
}

export interface MoveRequest {
	title: string;
	fileName: string;
	physicalFile: string;
	documentCategoryId?: number;
	documentCategoryName?: string;
	id?: number;
	links: DocumentLinks;
}

const LINK_FIELDS = ['providerID', 'applicationId', 'applicantId', 'jobId', 'offerId'] as const;

/** What PageUp infers from a file's extension when prepare is given no contentType. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
	'.csv': 'text/csv',
	'.doc': 'application/msword',
	'.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	'.eml': 'message/rfc822',
	'.gif': 'image/gif',
	'.htm': 'text/html',
	'.html': 'text/html',
	'.jpeg': 'image/jpeg',
	'.jpg': 'image/jpeg',
	'.json': 'application/json',
	'.msg': 'application/vnd.ms-outlook',
	'.odt': 'application/vnd.oasis.opendocument.text',
	'.pdf': 'application/pdf',
	'.png': 'image/png',
	'.ppt': 'application/vnd.ms-powerpoint',
	'.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	'.rtf': 'application/rtf',
	'.tif': 'image/tiff',
	'.tiff': 'image/tiff',
	'.txt': 'text/plain',
	'.xls': 'application/vnd.ms-excel',
	'.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	'.xml': 'application/xml',
	'.zip': 'application/zip',
};

export function contentTypeFor(fileName: string): string {
	return CONTENT_TYPES[extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

export function fileNameProblem(fileName: string | undefined): string | undefined {
	if (fileName === undefined || fileName.trim() === '') return 'The fileName field is required.';
	if (Buffer.byteLength(fileName) > MAX_FILE_NAME_BYTES) {
		return `The fileName must be at most ${MAX_FILE_NAME_BYTES} bytes long.`;
	}
	if (/[/\\]/.test(fileName)) return 'The fileName must not contain / or \\.';
	// A URL path cannot carry these as a key segment: clients resolve them away.
	if (fileName === '.' || fileName === '..') return 'The fileName must name a file.';
	if ([...fileName].some((char) => char < ' ' || char === '\u007f')) {
		return 'The fileName must not contain control characters.';
	}
	return undefined;
}

/** A moveFromTemp body by lower-case property name: ASP.NET binds JSON names in any case. */
export type MoveFields = ReadonlyMap<string, unknown>;

export function checkMoveRequest(
	fields: MoveFields,
	tenantCategories: readonly string[],
): { request: MoveRequest } | { errors: FieldError[] } {
	const errors: FieldError[] = [];
	const request: MoveRequest = {
		title: requiredText(fields, 'title', errors),
		fileName: requiredText(fields, 'fileName', errors),
		physicalFile: requiredText(fields, 'physicalFile', errors),
		links: {},
	};
	const fileNameError = request.fileName === '' ? undefined : fileNameProblem(request.fileName);
	if (fileNameError !== undefined) errors.push({ message: fileNameError, field: 'fileName' });
	checkCategory(fields, tenantCategories, request, errors);
	checkIds(fields, request, errors);
	return errors.length > 0 ? { errors } : { request };
}

function valueOf(fields: MoveFields, name: string): unknown {
	return fields.get(name.toLowerCase());
}

/** Null counts as absent, as it does for PageUp's nullable fields. */
function isPresent(fields: MoveFields, name: string): boolean {
	const value = valueOf(fields, name);
	return value !== undefined && value !== null;
}

function requiredText(fields: MoveFields, name: string, errors: FieldError[]): string {
	const value = valueOf(fields, name);
	if (!isPresent(fields, name) || (typeof value === 'string' && value.trim() === '')) {
		errors.push({ message: `The ${name} field is required.`, field: name });
	} else if (typeof value !== 'string') {
		errors.push({ message: `The ${name} field must be a string.`, field: name });
	}
	return typeof value === 'string' ? value : '';
}

/** Exactly one of a system category id or a tenant category name. */
function checkCategory(
	fields: MoveFields,
	tenantCategories: readonly string[],
	request: MoveRequest,
	errors: FieldError[],
): void {
	const hasId = isPresent(fields, 'documentCategoryId');
	const hasName = isPresent(fields, 'documentCategoryName');
	if (hasId === hasName) {
		errors.push({
			message: hasId
				? 'Only one of documentCategoryId or documentCategoryName can be passed, not both.'
				: 'One of documentCategoryId or documentCategoryName is required.',
			field: 'documentCategoryId',
		});
		return;
	}
	if (hasId) {
		const categoryId = valueOf(fields, 'documentCategoryId');
		if (typeof categoryId === 'number' && SYSTEM_DOCUMENT_CATEGORIES.has(categoryId)) {
			request.documentCategoryId = categoryId;
			return;
		}
		const known = [...SYSTEM_DOCUMENT_CATEGORIES.keys()].join(', ');
		errors.push({
			message:
				`The documentCategoryId ${JSON.stringify(categoryId)} is not a system document ` +
				`category; use one of ${known}.`,
			field: 'documentCategoryId',
		});
		return;
	}
	const categoryName = valueOf(fields, 'documentCategoryName');
	const match =
		typeof categoryName === 'string'
			? tenantCategories.find((name) => name.toLowerCase() === categoryName.toLowerCase())
			: undefined;
	if (match !== undefined) {
		request.documentCategoryName = match;
		return;
	}
	errors.push({
		message:
			`The documentCategoryName ${JSON.stringify(categoryName)} is not a document ` +
			'category of this tenant.',
		field: 'documentCategoryName',
	});
}

/** PageUp ids are positive integers, sent as JSON numbers. */
function checkIds(fields: MoveFields, request: MoveRequest, errors: FieldError[]): void {
	for (const name of ['id', ...LINK_FIELDS] as const) {
		if (!isPresent(fields, name)) continue;
		const value = valueOf(fields, name);
		if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
			errors.push({ message: `The ${name} field must be a positive integer.`, field: name });
		} else if (name === 'id') {
			request.id = value;
		} else {
			request.links[name] = value;
		}
	}
}

export function parseExpiresInSeconds(values: string[]): number | undefined {
	if (values.length === 0) return DOWNLOAD_LINK_SECONDS.default;
	if (values.length > 1 || !/^\d+$/.test(values[0])) return undefined;
	const seconds = Number(values[0]);
	const { min, max } = DOWNLOAD_LINK_SECONDS;
	return seconds >= min && seconds <= max ? seconds : undefined;
}
