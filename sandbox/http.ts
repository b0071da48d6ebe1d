// Small HTTP helpers the sandbox's servers share.

import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';

/** What a route decided; the server writes it, or a fault replaces it. */
export interface ApiAnswer {
	status: number;
	body?: unknown;
	/** Sent as is instead of `body`, e.g. a fault's own body text. */
	text?: string;
	headers?: Record<string, string>;
}

export interface ReadBody {
	bytes: Buffer;
	size: number;
	tooLarge: boolean;
}

export const HOST = '127.0.0.1';

/** Keeps sockets between the steps of an upload, as a real API gateway does. */
const KEEP_ALIVE_MS = 30_000;

export function createHttpServer(): Server {
	// Large uploads and fault delays may run long; the default five-minute limit would cut them.
	const server = createServer({ requestTimeout: 0 });
	server.keepAliveTimeout = KEEP_ALIVE_MS;
	return server;
}

export function listen(server: Server, port: number): Promise<number> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, HOST, () => {
			server.off('error', reject);
			const address = server.address();
			if (address === null || typeof address === 'string') {
				reject(new Error('The server did not report a TCP address.'));
				return;
			}
			resolve(address.port);
		});
	});
}

export function stop(server: Server): Promise<void> {
	return new Promise((resolve) => {
		if (!server.listening) {
			resolve();
			return;
		}
		server.close(() => resolve());
		server.closeAllConnections();
	});
}

/** Reads the whole body, but keeps at most `limitBytes` so a flood cannot fill memory. */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<ReadBody> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= limitBytes) chunks.push(chunk);
		});
		req.on('end', () => {
			const tooLarge = size > limitBytes;
			resolve({ bytes: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), size, tooLarge });
		});
		req.on('error', reject);
	});
}

/** Waits until the request body has been read and thrown away. */
export function drain(req: IncomingMessage): Promise<void> {
	if (req.complete || req.destroyed) return Promise.resolve();
	return new Promise((resolve) => {
		req.on('end', resolve);
		req.on('close', resolve);
		req.resume();
	});
}

export function writeAnswer(res: ServerResponse, answer: ApiAnswer): void {
	if (res.destroyed || res.headersSent) return;
	const text = answer.text ?? (answer.body === undefined ? undefined : JSON.stringify(answer.body));
	const headers: Record<string, string | number> = {};
	if (text !== undefined) {
		headers['Content-Type'] = 'application/json; charset=utf-8';
		headers['Content-Length'] = Buffer.byteLength(text);
	}
	Object.assign(headers, answer.headers);
	res.writeHead(answer.status, headers);
	res.end(text);
}

/** The media type of a Content-Type header, lower case and without parameters. */
export function mediaType(header: string | undefined): string {
	return (header ?? '').split(';')[0].trim().toLowerCase();
}

export function headerValue(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value.join(',') : value;
}

export function headerRecord(headers: IncomingHttpHeaders): Record<string, string> {
	const record: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		const text = headerValue(value);
		if (text !== undefined) record[name] = text;
	}
	return record;
}

/** Resolves after `ms`, or at once when the sandbox closes, so no timer outlives it. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
	if (ms <= 0 || signal.aborted) return Promise.resolve();
	return new Promise((resolve) => {
		const done = (): void => {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		};
		const timer = setTimeout(done, ms);
		signal.addEventListener('abort', done, { once: true });
	});
}
