// A local PageUp: token endpoint, Document API and an S3 store behind presigned URLs.

import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createApiListener, TOKEN_PATH } from './apiServer';
import { DOCUMENT_SCOPES } from './constants';
import type { ControlTarget } from './control';
import { DocumentApi } from './documentApi';
import type { DocumentRecord } from './documentApi';
import { FaultQueue } from './faults';
import type { FaultSpec, PendingFault } from './faults';
import { createHttpServer, HOST, listen, stop } from './http';
import { ObjectStore } from './objectStore';
import { answerIncompleteBodies, createS3Listener } from './s3Api';
import { checkSettings, DEFAULT_SETTINGS } from './settings';
import type { SandboxSettings } from './settings';
import { UrlSigner } from './sigv4';
import { TokenAuthority } from './tokens';
import { Traffic } from './traffic';
import type { RequestRecord, SandboxStats } from './traffic';

export { CONTROL_ROUTES } from './control';
export type { DocumentContent } from './control';
export { DOCUMENT_READ_SCOPE, DOCUMENT_SCOPES, DOCUMENT_WRITE_SCOPE } from './constants';
export type { DocumentLinks, DocumentRecord, FieldError } from './documentApi';
export type { FaultSpec, PendingFault } from './faults';
export type { DownloadUrlField, MoveFromTempAnswer, SandboxSettings } from './settings';
export { S3_REGION } from './sigv4';
export { REQUEST_KINDS } from './traffic';
export type { Kind, RequestKind, RequestRecord, SandboxStats } from './traffic';

export const DEFAULT_TENANT_ID = '218';

export const DEFAULT_CLIENT_ID = 'sandbox-client';

export const BUCKET = 'pageup-sandbox-documents';

const ACCESS_KEY_ID = 'AKIAPAGEUPSANDBOX000';

export interface SandboxOptions extends Partial<SandboxSettings> {
	/** The only address the sandbox listens on; it never listens on every interface. */
	host?: '127.0.0.1';
	/** 0, the default, takes a free port. */
	apiPort?: number;
	s3Port?: number;
	tenantId?: string;
	clientId?: string;
	/** Random unless given. */
	clientSecret?: string;
	/** Where object bytes live; a temporary directory, removed on close, unless given. */
	dataDir?: string;
	/**
	 * False keeps only each uploaded object's size and SHA-256, not its bytes, so that a benchmark
	 * of gigabytes measures the clients and not how fast this machine finds fresh memory for a
	 * file. Downloads of such documents answer 404.
	 */
	keepUploadedBytes?: boolean;
	/** Called as each request's record is logged, e.g. to print it. */
	onRequest?: (record: RequestRecord) => void;
}

/** The values to enter in a "PageUp API" credential to reach this sandbox. */
export interface SandboxCredentials {
	tenantId: string;
	clientId: string;
	clientSecret: string;
	/** Space separated, as the credential's scopes field takes them. */
	scopes: string;
	tokenUrl: string;
	apiRootUrl: string;
}

export interface IssuedSecrets {
	accessTokens: string[];
	/** The X-Amz-Signature values of the upload and download URLs. */
	urlSignatures: string[];
}

export interface Sandbox {
	/** The API port's origin, e.g. http://127.0.0.1:4010; the control routes live here too. */
	apiUrl: string;
	tokenUrl: string;
	/** Ends in /v3/<tenantId>/recruitment/document. */
	apiRootUrl: string;
	s3Url: string;
	dataDir: string;
	credentials: SandboxCredentials;
	stats(): SandboxStats;
	/** Zeroes the counters and empties the request log. */
	resetStats(): void;
	settings(): SandboxSettings;
	/** Changes settings while running; throws on an unknown name or a bad value. */
	setOptions(patch: Partial<SandboxSettings>): void;
	/** Every token issued so far answers 401 from now on. */
	revokeTokens(): void;
	/** Every access token and presigned-URL signature handed out so far, to look for leaks. */
	issuedSecrets(): IssuedSecrets;
	injectFault(fault: FaultSpec): void;
	clearFaults(): void;
	pendingFaults(): PendingFault[];
	documents(): DocumentRecord[];
	document(id: number): DocumentRecord | undefined;
	/** A document's stored bytes, read whole: meant for small files. */
	readDocument(id: number): Buffer;
	requests(): RequestRecord[];
	close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const {
		host = HOST,
		apiPort = 0,
		s3Port = 0,
		tenantId = DEFAULT_TENANT_ID,
		clientId = DEFAULT_CLIENT_ID,
		clientSecret = randomBytes(24).toString('base64url'),
		dataDir: givenDataDir,
		keepUploadedBytes = true,
		onRequest,
		...settingsPatch
	} = options;
	if (host !== HOST) throw new Error(`The sandbox listens on ${HOST} only, not ${String(host)}.`);
	if (!/^\d+$/.test(tenantId)) throw new Error(`The tenant id must be digits, not "${tenantId}".`);
	const settings: SandboxSettings = {
		...structuredClone(DEFAULT_SETTINGS),
		...checkSettings(settingsPatch),
	};

	const dataDir = givenDataDir ?? (await mkdtemp(join(tmpdir(), 'pageup-sandbox-')));
	const removeDataDir = async (): Promise<void> => {
		if (givenDataDir === undefined) await rm(dataDir, { recursive: true, force: true });
	};
	const store = await ObjectStore.open(dataDir, { keepBytes: keepUploadedBytes });
	const apiServer = createHttpServer();
	const s3Server = createHttpServer();
	let ports: [number, number];
	try {
		ports = [await listen(apiServer, apiPort), await listen(s3Server, s3Port)];
	} catch (error) {
		await Promise.all([stop(apiServer), stop(s3Server)]);
		await removeDataDir();
		throw error;
	}

	// From here on everything is wired synchronously, so no request arrives before its listener.
	const apiUrl = `http://${HOST}:${ports[0]}`;
	const s3Url = `http://${HOST}:${ports[1]}`;
	const tokenUrl = `${apiUrl}${TOKEN_PATH}`;
	const apiRootUrl = `${apiUrl}/v3/${tenantId}/recruitment/document`;
	const abort = new AbortController();
	// Every delayed call listens on this signal; hundreds may wait at once under load.
	setMaxListeners(0, abort.signal);
	const traffic = new Traffic(onRequest);
	const faults = new FaultQueue();
	const authority = new TokenAuthority();
	const signingKeys = {
		accessKeyId: ACCESS_KEY_ID,
		secretAccessKey: randomBytes(30).toString('base64'),
	};
	const signer = new UrlSigner({
		keys: signingKeys,
		bucket: BUCKET,
		hostname: HOST,
		port: ports[1],
	});
	const documents = new DocumentApi({ tenantId, settings, authority, store, signer });
	const credentials: SandboxCredentials = {
		tenantId,
		clientId,
		clientSecret,
		scopes: DOCUMENT_SCOPES.join(' '),
		tokenUrl,
		apiRootUrl,
	};
	let closing: Promise<void> | undefined;

	const sandbox: Sandbox & ControlTarget = {
		apiUrl,
		tokenUrl,
		apiRootUrl,
		s3Url,
		dataDir,
		credentials,
		stats: () => traffic.stats(),
		resetStats: () => traffic.reset(),
		settings: () => structuredClone(settings),
		setOptions: (patch) => Object.assign(settings, checkSettings(patch)),
		revokeTokens: () => authority.revokeAll(),
		issuedSecrets: () => ({
			accessTokens: authority.issued(),
			urlSignatures: signer.issuedSignatures(),
		}),
		injectFault: (fault) => faults.inject(fault),
		clearFaults: () => faults.clear(),
		pendingFaults: () => faults.pending(),
		documents: () => documents.documents(),
		document: (id) => documents.document(id),
		readDocument: (id) => {
			const bytes = store.read(documents.document(id)?.objectKey ?? '');
			if (bytes === undefined) throw new Error(`The sandbox holds no document ${id}.`);
			return bytes;
		},
		openDocument: async (id) => {
			const opened = await store.openObject(documents.document(id)?.objectKey ?? '');
			if (opened === undefined) return undefined;
			const stream = opened.file.createReadStream();
			return { stream, size: opened.object.size, contentType: opened.object.contentType };
		},
		requests: () => traffic.requests(),
		close: () => {
			closing ??= (async () => {
				abort.abort();
				await Promise.all([stop(apiServer), stop(s3Server)]);
				await removeDataDir();
			})();
			return closing;
		},
	};

	s3Server.on(
		'request',
		createS3Listener({
			bucket: BUCKET,
			store,
			signer,
			faults,
			traffic,
			signal: abort.signal,
			onStored: (object) => documents.uploaded(object),
		}),
	);
	answerIncompleteBodies(s3Server);
	apiServer.on(
		'request',
		createApiListener({
			client: { clientId, clientSecret },
			settings,
			authority,
			documents,
			faults,
			traffic,
			control: sandbox,
			signal: abort.signal,
		}),
	);
	return sandbox;
}
