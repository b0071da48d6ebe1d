// What the fault specifications share: one world per file, and small readers of what happened.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

import type { IDataObject } from 'n8n-workflow';

import {
	PAGEUP_DOCUMENT_TYPE,
	type BinaryDataMode,
	type LogRecord,
	type RunResult,
} from '../../runner/engine';
import { FILE_SOURCE_TYPE, sourceItems, type SourceItem } from '../../runner/fileSource';
import type { Kind, SandboxOptions } from '../../sandbox';
import { PAGEUP_NODE, startWorld, type NodeRunResult, type World } from '../support/pageup';

/** Retries without waiting, so that a test of retries takes no longer than its requests. */
export const NO_WAIT = { maxRetryWaitSeconds: 0 };

/**
 * One world for the whole file, started before the first test; every test starts with no
 * faults, no recorded requests and no log lines.
 */
export function useWorld(
	options: { sandbox?: SandboxOptions; binaryDataMode?: BinaryDataMode } = {},
): () => World {
	let world: World | undefined;
	beforeAll(async () => {
		world = await startWorld(options);
	});
	afterAll(async () => await world?.close());
	beforeEach(() => {
		world?.sandbox.clearFaults();
		world?.sandbox.resetStats();
		world?.engine.logger.records.splice(0);
	});
	return () => {
		if (world === undefined) throw new Error('The world runs only inside a test.');
		return world;
	};
}

/** How many requests of each kind the sandbox saw since the test began. */
export function requestCount(world: World, kind: Kind): number {
	return world.sandbox.stats().requestsByKind[kind];
}

/** Log lines at one level whose message contains the text. */
export function logLines(world: World, level: LogRecord['level'], text = ''): LogRecord[] {
	return world.engine.logger.records.filter(
		(record) => record.level === level && record.message.includes(text),
	);
}

/** Makes the next request fetch a new token, as the first run with a credential does. */
export function forgetToken(world: World): void {
	world.engine.credentials.update(world.credential.id, {
		accessToken: '',
		accessTokenExpiresAt: '',
	});
}

/** Runs the node with a credential of its own, built from the sandbox's plus the changes. */
export async function runWithCredential(
	world: World,
	changes: IDataObject,
	run: { items: SourceItem[]; parameters: IDataObject; continueOnFail?: boolean },
): Promise<NodeRunResult> {
	const credential = world.engine.addPageUpCredential({
		environment: 'production',
		dataCentre: 'dc2',
		...world.sandbox.credentials,
		...changes,
	});
	const result: RunResult = await world.engine.runChain([
		{ type: FILE_SOURCE_TYPE, name: 'Files', parameters: sourceItems(run.items) },
		{
			type: PAGEUP_DOCUMENT_TYPE,
			name: PAGEUP_NODE,
			parameters: run.parameters as never,
			credentials: { pageUpApi: credential },
			continueOnFail: run.continueOnFail,
		},
	]);
	return { ...result, items: result.output(PAGEUP_NODE) };
}

/** Bytes that no two tests share, so a stored copy can only have come from this test. */
export function randomFile(size: number): Buffer {
	return randomBytes(size);
}

/** The description of the error the execution stopped on. */
export function errorDescription(result: RunResult): string {
	return String(result.error?.description ?? '');
}

/** A presigned upload from the sandbox, asked for directly, as the node would get it. */
export async function preparedUpload(
	world: World,
	fileName: string,
): Promise<{ url: string; headers: Record<string, string> }> {
	const { tokenUrl, clientId, clientSecret, scopes, apiRootUrl } = world.sandbox.credentials;
	const tokenResponse = await fetch(tokenUrl, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			grant_type: 'client_credentials',
			client_id: clientId,
			client_secret: clientSecret,
			scope: scopes,
		}).toString(),
	});
	const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
	const response = await fetch(
		`${apiRootUrl}/prepareTempDirectUpload?${new URLSearchParams({ fileName })}`,
		{ headers: { Authorization: `Bearer ${token}` } },
	);
	return (await response.json()) as { url: string; headers: Record<string, string> };
}

/** A host that answers every request with a redirect, as S3 does while a bucket moves. */
export interface Redirector {
	url: string;
	/** Where the next requests are sent on to. */
	target: string;
	/** Headers of each request it received. */
	received: IncomingHttpHeaders[];
	close(): Promise<void>;
}

export async function startRedirector(status = 307): Promise<Redirector> {
	const redirector: Redirector = {
		url: '',
		target: '',
		received: [],
		close: async () => {
			await new Promise((resolve) => {
				server.close(resolve);
				server.closeAllConnections();
			});
		},
	};
	const server: Server = createServer((req, res) => {
		redirector.received.push(req.headers);
		req.resume();
		req.on('end', () => {
			res.writeHead(status, { Location: redirector.target, 'Content-Length': 0 });
			res.end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	if (address === null || typeof address === 'string') throw new Error('No TCP address');
	redirector.url = `http://127.0.0.1:${address.port}/bucket-moved`;
	return redirector;
}
