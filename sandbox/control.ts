// HTTP control routes, so a process elsewhere (a real n8n under test) can steer the sandbox.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { DocumentRecord } from './documentApi';
import { checkFaultSpec } from './faults';
import type { FaultSpec, PendingFault } from './faults';
import { readBody, writeAnswer } from './http';
import type { ApiAnswer } from './http';
import { SettingsError } from './settings';
import type { SandboxSettings } from './settings';
import type { RequestRecord, SandboxStats } from './traffic';

export const CONTROL_PREFIX = '/__sandbox';

export const CONTROL_ROUTES: readonly string[] = [
	'GET    /__sandbox/stats',
	'POST   /__sandbox/reset',
	'GET    /__sandbox/options',
	'POST   /__sandbox/options          JSON partial settings',
	'POST   /__sandbox/revoke',
	'GET    /__sandbox/faults',
	'POST   /__sandbox/faults           JSON fault, or an array of faults',
	'DELETE /__sandbox/faults',
	'GET    /__sandbox/documents',
	'GET    /__sandbox/documents/:id',
	'GET    /__sandbox/documents/:id/content',
	'GET    /__sandbox/requests',
	'GET    /__sandbox/credentials',
];

const MAX_CONTROL_BODY_BYTES = 1024 * 1024;

export interface DocumentContent {
	stream: Readable;
	size: number;
	contentType: string;
}

/** What the control routes can reach; the sandbox object itself provides it. */
export interface ControlTarget {
	stats(): SandboxStats;
	resetStats(): void;
	settings(): SandboxSettings;
	setOptions(patch: Partial<SandboxSettings>): void;
	revokeTokens(): void;
	injectFault(fault: FaultSpec): void;
	clearFaults(): void;
	pendingFaults(): PendingFault[];
	documents(): DocumentRecord[];
	document(id: number): DocumentRecord | undefined;
	openDocument(id: number): Promise<DocumentContent | undefined>;
	requests(): RequestRecord[];
	credentials: object;
}

export function isControlPath(pathname: string): boolean {
	return pathname === CONTROL_PREFIX || pathname.startsWith(`${CONTROL_PREFIX}/`);
}

export async function handleControl(
	target: ControlTarget,
	req: IncomingMessage,
	res: ServerResponse,
	url: URL,
): Promise<void> {
	const method = req.method ?? 'GET';
	const path = url.pathname.slice(CONTROL_PREFIX.length);
	const documentMatch = /^\/documents\/(\d+)(\/content)?$/.exec(path);
	if (documentMatch !== null && method === 'GET') {
		await answerDocument(target, res, Number(documentMatch[1]), documentMatch[2] !== undefined);
		return;
	}
	const route = `${method} ${path}`;
	try {
		writeAnswer(res, await answerRoute(target, req, route));
	} catch (error) {
		if (!(error instanceof SettingsError)) throw error;
		writeAnswer(res, { status: 400, body: { error: error.message } });
	}
}

async function answerRoute(
	target: ControlTarget,
	req: IncomingMessage,
	route: string,
): Promise<ApiAnswer> {
	switch (route) {
		case 'GET /stats':
			return ok(target.stats());
		case 'POST /reset':
			target.resetStats();
			return { status: 204 };
		case 'GET /options':
			return ok(target.settings());
		case 'POST /options':
			target.setOptions(jsonObject(await readJson(req)) as Partial<SandboxSettings>);
			return ok(target.settings());
		case 'POST /revoke':
			target.revokeTokens();
			return { status: 204 };
		case 'GET /faults':
			return ok(target.pendingFaults());
		case 'POST /faults': {
			const body = await readJson(req);
			// Check every fault before arming any, so a typo leaves nothing half-injected.
			const faults = (Array.isArray(body) ? body : [body]).map(checkFaultSpec);
			for (const fault of faults) target.injectFault(fault);
			return { status: 204 };
		}
		case 'DELETE /faults':
			target.clearFaults();
			return { status: 204 };
		case 'GET /documents':
			return ok(target.documents());
		case 'GET /requests':
			return ok(target.requests());
		case 'GET /credentials':
			return ok(target.credentials);
		default:
			return {
				status: 404,
				body: { error: `No control route ${route}.`, routes: CONTROL_ROUTES },
			};
	}
}

async function answerDocument(
	target: ControlTarget,
	res: ServerResponse,
	id: number,
	content: boolean,
): Promise<void> {
	const notFound = { status: 404, body: { error: `No document ${id}.` } };
	if (!content) {
		const record = target.document(id);
		writeAnswer(res, record === undefined ? notFound : ok(record));
		return;
	}
	const opened = await target.openDocument(id);
	if (opened === undefined) {
		writeAnswer(res, notFound);
		return;
	}
	res.writeHead(200, { 'Content-Type': opened.contentType, 'Content-Length': opened.size });
	await pipeline(opened.stream, res).catch(() => undefined);
}

function ok(body: unknown): ApiAnswer {
	return { status: 200, body };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
	const body = await readBody(req, MAX_CONTROL_BODY_BYTES);
	if (body.tooLarge) throw new SettingsError('The body is too large.');
	try {
		return JSON.parse(body.bytes.toString('utf8'));
	} catch {
		throw new SettingsError('The body must be JSON.');
	}
}

function jsonObject(value: unknown): object {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new SettingsError('The body must be a JSON object.');
	}
	return value;
}
