// The API port: PageUp's token endpoint and Document API, plus the sandbox's control routes.

import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

import type { ControlTarget } from './control';
import { handleControl, isControlPath } from './control';
import type { ApiCall, DocumentApi } from './documentApi';
import type { FaultAnswer, FaultQueue } from './faults';
import { apiFaultMessage, faultOutcome, tokenFaultError } from './faults';
import type { ApiAnswer } from './http';
import { readBody, sleep, writeAnswer } from './http';
import type { SandboxSettings } from './settings';
import type { TokenAuthority, TokenClient } from './tokens';
import { answerTokenRequest, oauthError } from './tokens';
import type { RequestKind, Traffic } from './traffic';

export const TOKEN_PATH = '/connect/token';

const MAX_FORM_BYTES = 64 * 1024;

export interface ApiServerParts {
	client: TokenClient;
	settings: SandboxSettings;
	authority: TokenAuthority;
	documents: DocumentApi;
	faults: FaultQueue;
	traffic: Traffic;
	control: ControlTarget;
	signal: AbortSignal;
}

interface ApiRoute {
	kind: RequestKind | 'other';
	answer: (call: ApiCall) => Promise<ApiAnswer>;
}

export function createApiListener(parts: ApiServerParts): RequestListener {
	return (req, res) => {
		handle(parts, req, res).catch((error: unknown) => {
			const message = error instanceof Error ? error.message : String(error);
			if (res.headersSent) res.destroy();
			else writeAnswer(res, { status: 500, body: [{ message: `The sandbox failed: ${message}` }] });
		});
	};
}

async function handle(parts: ApiServerParts, req: IncomingMessage, res: ServerResponse) {
	// Not `new URL(path, base)`: that would read a path starting with // as a host name.
	const url = new URL(`http://127.0.0.1${req.url ?? '/'}`);
	if (isControlPath(url.pathname)) {
		await handleControl(parts.control, req, res, url);
		return;
	}
	const route = resolve(parts, req.method ?? 'GET', url.pathname);
	const tracked = parts.traffic.track(route.kind, req, res);
	const call: ApiCall = { req, url, tracked };
	if (route.kind === 'other') {
		writeAnswer(res, await route.answer(call));
		return;
	}
	await sleep(parts.settings.latencyMs, parts.signal);
	const fault = parts.faults.take(route.kind);
	const outcome = faultOutcome(fault);
	// With afterEffect the work is done before the hold, as a server that is slow to answer.
	if (outcome.type === 'answer' && outcome.afterEffect) await answerAndCount(parts, route, call);
	if (fault?.delayMs !== undefined) await sleep(fault.delayMs, parts.signal);
	if (outcome.type === 'reset') {
		req.socket.destroy();
		return;
	}
	if (outcome.type === 'answer') {
		writeAnswer(res, faultAnswer(route.kind, outcome));
		return;
	}
	writeAnswer(res, await answerAndCount(parts, route, call));
}

async function answerAndCount(parts: ApiServerParts, route: ApiRoute, call: ApiCall) {
	const answer = await route.answer(call);
	if (route.kind === 'token' && answer.status === 200) parts.traffic.countTokenIssued();
	return answer;
}

function resolve(parts: ApiServerParts, method: string, pathname: string): ApiRoute {
	if (pathname === TOKEN_PATH) {
		return {
			kind: 'token',
			answer: async ({ req, tracked }) => {
				if (method !== 'POST') {
					return oauthError(405, 'invalid_request', 'The token endpoint takes POST only.');
				}
				const body = await readBody(req, MAX_FORM_BYTES);
				tracked.bodySize = body.size;
				if (body.tooLarge) return oauthError(400, 'invalid_request', 'The form is too large.');
				return answerTokenRequest(
					{ contentType: req.headers['content-type'], body: body.bytes },
					parts.client,
					parts.settings,
					parts.authority,
				);
			},
		};
	}
	const documentRoute = parts.documents.route(method, pathname);
	if (documentRoute !== undefined) return documentRoute;
	return {
		kind: 'other',
		answer: async () => ({
			status: 404,
			body: [{ message: `No HTTP resource was found that matches the request URI ${pathname}.` }],
		}),
	};
}

/** The answer a fault gives, in the shape the real endpoint would use. */
function faultAnswer(kind: RequestKind, { fault, status }: FaultAnswer): ApiAnswer {
	const headers: Record<string, string> = {};
	if (status === 401 && kind !== 'token') {
		headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
	}
	Object.assign(headers, fault.headers);
	if (fault.body !== undefined) {
		return {
			status,
			text: fault.body,
			headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
		};
	}
	const body =
		kind === 'token' ? { error: tokenFaultError(status) } : [{ message: apiFaultMessage(status) }];
	return { status, body, headers };
}
