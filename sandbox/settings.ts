// What a running sandbox lets a test change, and the checks that keep bad values out.

import { DOCUMENT_SCOPES } from './constants';

/** The field name of the download link answer, which PageUp has not published. */
export type DownloadUrlField = 'downloadUrl' | 'url';

/** Whether moveFromTemp answers `{"documentId": N, ...}` or a bare `N`; also unpublished. */
export type MoveFromTempAnswer = 'object' | 'number';

export interface SandboxSettings {
	allowedScopes: string[];
	tokenLifetimeSeconds: number;
	uploadUrlLifetimeSeconds: number;
	/** Added before every token, prepare, move and link answer. */
	latencyMs: number;
	tenantCategories: string[];
	downloadUrlField: DownloadUrlField;
	moveFromTempAnswer: MoveFromTempAnswer;
}

export const DEFAULT_SETTINGS: Readonly<SandboxSettings> = {
	allowedScopes: [...DOCUMENT_SCOPES],
	tokenLifetimeSeconds: 300,
	uploadUrlLifetimeSeconds: 1800,
	latencyMs: 0,
	tenantCategories: ['Cover Letter', 'Reference Check'],
	downloadUrlField: 'downloadUrl',
	moveFromTempAnswer: 'object',
};

/** A week: the longest a SigV4 presigned URL may live. */
const MAX_PRESIGNED_SECONDS = 604800;

export class SettingsError extends Error {}

/** Checks a partial settings object that may come from JSON; unknown names are refused. */
export function checkSettings(patch: object): Partial<SandboxSettings> {
	const checked: Partial<SandboxSettings> = {};
	for (const [name, value] of Object.entries(patch)) {
		if (value === undefined) continue;
		switch (name) {
			case 'allowedScopes':
				checked.allowedScopes = stringList(name, value);
				break;
			case 'tenantCategories':
				checked.tenantCategories = stringList(name, value);
				break;
			case 'tokenLifetimeSeconds':
				checked.tokenLifetimeSeconds = integer(name, value, 1, 86400);
				break;
			case 'uploadUrlLifetimeSeconds':
				checked.uploadUrlLifetimeSeconds = integer(name, value, 1, MAX_PRESIGNED_SECONDS);
				break;
			case 'latencyMs':
				checked.latencyMs = milliseconds(name, value);
				break;
			case 'downloadUrlField':
				checked.downloadUrlField = oneOf(name, value, ['downloadUrl', 'url'] as const);
				break;
			case 'moveFromTempAnswer':
				checked.moveFromTempAnswer = oneOf(name, value, ['object', 'number'] as const);
				break;
			default:
				throw new SettingsError(`Unknown sandbox setting "${name}".`);
		}
	}
	return checked;
}

function stringList(name: string, value: unknown): string[] {
	const valid =
		Array.isArray(value) && value.every((item) => typeof item === 'string' && item.trim() !== '');
	if (!valid) throw new SettingsError(`${name} must be an array of non-empty strings.`);
	return [...(value as string[])];
}

function integer(name: string, value: unknown, min: number, max: number): number {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
		throw new SettingsError(`${name} must be an integer from ${min} to ${max}.`);
	}
	return value;
}

export function milliseconds(name: string, value: unknown): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 3_600_000) {
		throw new SettingsError(`${name} must be a number of milliseconds from 0 to 3600000.`);
	}
	return value;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
	const match = allowed.find((candidate) => candidate === value);
	if (match === undefined) {
		throw new SettingsError(`${name} must be one of: ${allowed.join(', ')}.`);
	}
	return match;
}
