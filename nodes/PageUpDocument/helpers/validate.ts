// Checks of the user's input, made before any request so that bad input costs nothing.

/** Bad input, with the parameter it came from as the editor names it. */
export class InputError extends Error {
	constructor(
		readonly parameter: string,
		message: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'InputError';
	}
}

/** Assumption: PageUp's ids (lDocumentID, lApplicantID, ...) are 32-bit database integers. */
export const MAX_PAGEUP_ID = 2_147_483_647;

export const MIN_EXPIRES_IN_SECONDS = 10;

export const MAX_EXPIRES_IN_SECONDS = 300;

/** S3 takes at most 5 GiB in a single PUT, which is how the upload's bytes travel. */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;

const MAX_FILE_NAME_BYTES = 255;

function asInteger(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
	if (typeof value === 'string' && /^\s*[0-9]+\s*$/.test(value)) return Number(value);
	return undefined;
}

function shown(value: unknown): string {
	const text = typeof value === 'string' ? `"${value}"` : String(value);
	return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** A PageUp reference id: a whole number from 1 up, given as a number or as digits. */
export function pageUpId(value: unknown, parameter: string): number {
	const id = asInteger(value);
	if (id === undefined || id < 1 || id > MAX_PAGEUP_ID) {
		throw new InputError(
			parameter,
			`${parameter} must be a PageUp ID: a whole number from 1 to ${MAX_PAGEUP_ID} ` +
				`(got ${shown(value)})`,
		);
	}
	return id;
}

/** The same as `pageUpId`, but empty means "not given". */
export function optionalPageUpId(value: unknown, parameter: string): number | undefined {
	if (value === undefined || value === null || value === '' || value === 0) return undefined;
	return pageUpId(value, parameter);
}

export function expiresInSeconds(value: unknown): number {
	const seconds = asInteger(value);
	if (
		seconds === undefined ||
		seconds < MIN_EXPIRES_IN_SECONDS ||
		seconds > MAX_EXPIRES_IN_SECONDS
	) {
		throw new InputError(
			'Expires In Seconds',
			`Expires In Seconds must be a whole number from ${MIN_EXPIRES_IN_SECONDS} to ` +
				`${MAX_EXPIRES_IN_SECONDS} (got ${shown(value)})`,
		);
	}
	return seconds;
}

// Control characters would corrupt headers and logs; separators and dot names would name a path.
function hasControlCharacter(text: string): boolean {
	return [...text].some((character) => {
		const code = character.charCodeAt(0);
		return code < 0x20 || (code >= 0x7f && code <= 0x9f);
	});
}

// Invisible direction marks can make "cv\u202efdp.exe" display as "cvexe.pdf".
const DIRECTION_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

// Half of a surrogate pair cannot be written as UTF-8: it would arrive as a replacement sign.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function fileNameProblem(name: string): string | undefined {
	if (name.trim() === '') return 'is empty';
	if (hasControlCharacter(name)) return 'contains a control character';
	if (DIRECTION_CONTROLS.test(name)) return 'contains an invisible text-direction character';
	if (LONE_SURROGATE.test(name)) return 'contains a broken Unicode character';
	if (/[/\\]/.test(name)) return 'contains a path separator (/ or \\)';
	if (name === '.' || name === '..') return 'is a directory name';
	if (Buffer.byteLength(name, 'utf8') > MAX_FILE_NAME_BYTES) {
		return `is longer than ${MAX_FILE_NAME_BYTES} bytes`;
	}
	return undefined;
}

/**
 * PageUp stores the name as given and infers the content type from its extension. Characters
 * such as `?`, `#`, `%`, spaces and any Unicode letter are fine: they travel URL-encoded.
 */
export function fileName(value: unknown, parameter: string): string {
	const name = typeof value === 'string' ? value : '';
	const problem = fileNameProblem(name);
	if (problem !== undefined) {
		throw new InputError(
			parameter,
			`${parameter} ${problem}: give a plain file name such as "resume.pdf"`,
		);
	}
	return name;
}

const CONTENT_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;.*)?$/i;

export function optionalContentType(value: unknown): string | undefined {
	const contentType = typeof value === 'string' ? value.trim() : '';
	if (contentType === '') return undefined;
	if (!CONTENT_TYPE.test(contentType) || hasControlCharacter(contentType)) {
		throw new InputError(
			'Content Type',
			`Content Type must be a media type such as "application/pdf" (got ${shown(value)})`,
		);
	}
	return contentType;
}

export function wholeNumberInRange(
	value: unknown,
	parameter: string,
	min: number,
	max: number,
): number {
	const number = asInteger(value);
	if (number === undefined || number < min || number > max) {
		throw new InputError(
			parameter,
			`${parameter} must be a whole number from ${min} to ${max} (got ${shown(value)})`,
		);
	}
	return number;
}
