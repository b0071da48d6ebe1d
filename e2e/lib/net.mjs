// Loopback ports and bounded HTTP calls.
import { randomUUID } from 'node:crypto';
import { createConnection, createServer } from 'node:net';

const handedOut = new Set();

/** A TCP port on 127.0.0.1 that is free now and not handed out before by this process. */
export async function freePort() {
	for (let attempt = 0; attempt < 20; attempt++) {
		const port = await new Promise((resolve, reject) => {
			const server = createServer();
			server.unref();
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => {
				const { port: chosen } = server.address();
				server.close(() => resolve(chosen));
			});
		});
		if (!handedOut.has(port)) {
			handedOut.add(port);
			return port;
		}
	}
	throw new Error('No free port found on 127.0.0.1');
}

/** Sends `payload` over TCP and resolves with the first answer, or rejects after `timeoutMs`. */
export function tcpAsk(port, payload, { timeoutMs = 2_000 } = {}) {
	return new Promise((resolve, reject) => {
		const socket = createConnection({ host: '127.0.0.1', port });
		socket.setTimeout(timeoutMs, () => socket.destroy(new Error('TCP timeout')));
		socket.once('error', reject);
		socket.once('connect', () => socket.write(payload));
		socket.once('data', (data) => {
			socket.end();
			resolve(data.toString());
		});
	});
}

/**
 * fetch with a timeout; resolves with status, headers and the body as text (and parsed JSON
 * when it is JSON).
 */
export async function request(
	url,
	{ method = 'GET', headers = {}, body, timeoutMs = 30_000 } = {},
) {
	const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(timeoutMs) };
	if (body !== undefined) {
		if (typeof body === 'string' || body instanceof Uint8Array) {
			init.body = body;
		} else {
			init.body = JSON.stringify(body);
			init.headers['content-type'] ??= 'application/json';
		}
	}
	const response = await fetch(url, init);
	const text = await response.text();
	let json;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	return { status: response.status, headers: response.headers, text, json };
}

/**
 * A REST client for n8n's editor API that keeps the `n8n-auth` cookie. n8n binds the auth
 * token to a browser id, so every call sends the same `browser-id` header.
 */
export class RestClient {
	constructor(baseUrl) {
		this.baseUrl = baseUrl;
		this.browserId = randomUUID();
		this.cookie = undefined;
	}

	async call(method, path, body, { timeoutMs = 30_000 } = {}) {
		const headers = { 'browser-id': this.browserId };
		if (this.cookie) headers.cookie = this.cookie;
		const answer = await request(`${this.baseUrl}${path}`, { method, headers, body, timeoutMs });
		const setCookie = answer.headers.getSetCookie?.() ?? [];
		const auth = setCookie.find((value) => value.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0];
		return answer;
	}

	/** Like `call`, but throws unless the status is 2xx, and returns n8n's `data` field. */
	async expect(method, path, body, options) {
		const answer = await this.call(method, path, body, options);
		if (answer.status < 200 || answer.status > 299) {
			throw new Error(`${method} ${path} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
		}
		return answer.json?.data ?? answer.json;
	}
}
