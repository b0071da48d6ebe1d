// PageUp's Document API: prepare a temporary upload, move it into a document, link to a document.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import {
	DOCUMENT_READ_SCOPE,
	DOCUMENT_WRITE_SCOPE,
	DOWNLOAD_LINK_SECONDS,
	FIRST_DOCUMENT_ID,
} from './constants';
import {
	checkMoveRequest,
	contentTypeFor,
	fileNameProblem,
	parseExpiresInSeconds,
} from './documentRules';
import type { DocumentLinks, FieldError, MoveRequest } from './documentRules';
import type { ApiAnswer } from './http';
import { mediaType, readBody } from './http';
import type { ObjectStore, StoredObject } from './objectStore';
import type { SandboxSettings } from './settings';
import { escapeUri } from './sigv4';
import type { UrlSigner } from './sigv4';
import type { TokenAuthority } from './tokens';
import type { TrackedRequest } from './traffic';

export type { DocumentLinks, FieldError } from './documentRules';

export interface DocumentRecord {
	id: number;
	title: string;
	fileName: string;
	physicalFile: string;
	documentCategoryId?: number;
	documentCategoryName?: string;
	links: DocumentLinks;
	size: number;
	sha256: string;
	contentType: string;
	/** Where the bytes live in the object store. */
	objectKey: string;
	/** How many times moveFromTemp with this `id` replaced the document. */
	replacedCount: number;
	createdAt: string;
	updatedAt: string;
}

/** A call to the API, as the server hands it to a route. */
export interface ApiCall {
	req: IncomingMessage;
	url: URL;
	tracked: TrackedRequest;
}

export type DocumentRouteKind = 'prepare' | 'move' | 'link';

export interface DocumentRoute {
	kind: DocumentRouteKind;
	answer: (call: ApiCall) => Promise<ApiAnswer>;
}

interface PendingUpload {
	key: string;
	physicalFile: string;
	/** Order of the last PUT that reached S3; undefined until then. */
	uploadOrder?: number;
}

const MAX_JSON_BYTES = 1024 * 1024;

export interface DocumentApiParts {
	tenantId: string;
	settings: SandboxSettings;
	authority: TokenAuthority;
	store: ObjectStore;
	signer: UrlSigner;
}

export class DocumentApi {
	private readonly pendingUploads = new Map<string, PendingUpload>();

	private readonly records = new Map<number, DocumentRecord>();

	private nextId = FIRST_DOCUMENT_ID;

	private uploadCount = 0;

	constructor(private readonly parts: DocumentApiParts) {}

	/** The route for a path under /v3/, or undefined when it is none of the three. */
	route(method: string, pathname: string): DocumentRoute | undefined {
		const match = /^\/v3\/([^/]+)\/recruitment\/document\/([^/]+)$/.exec(pathname);
		if (match === null) return undefined;
		const [, tenantId, segment] = match;
		const kind: DocumentRouteKind =
			segment === 'prepareTempDirectUpload'
				? 'prepare'
				: segment === 'moveFromTemp'
					? 'move'
					: 'link';
		const expectedMethod = kind === 'move' ? 'POST' : 'GET';
		const answer = async (call: ApiCall): Promise<ApiAnswer> => {
			if (tenantId !== this.parts.tenantId) {
				return { status: 404, body: [{ message: `Tenant ${tenantId} was not found.` }] };
			}
			if (method !== expectedMethod) {
				return {
					status: 405,
					body: [{ message: `The requested resource does not support http method '${method}'.` }],
					headers: { Allow: expectedMethod },
				};
			}
			if (kind === 'prepare') return this.prepare(call);
			if (kind === 'move') return this.move(call);
			return this.link(call, segment);
		};
		return { kind, answer };
	}

	/** Called for every object S3 stores; marks the temporary upload it belongs to as done. */
	uploaded(object: StoredObject): void {
		const pending = this.pendingUploads.get(object.key);
		if (pending !== undefined) {
			this.uploadCount += 1;
			pending.uploadOrder = this.uploadCount;
		}
	}

	documents(): DocumentRecord[] {
		return [...this.records.values()].map((record) => structuredClone(record));
	}

	document(id: number): DocumentRecord | undefined {
		const record = this.records.get(id);
		return record === undefined ? undefined : structuredClone(record);
	}

	private async prepare(call: ApiCall): Promise<ApiAnswer> {
		const refused = this.parts.authority.refuse(
			call.req.headers.authorization,
			DOCUMENT_WRITE_SCOPE,
		);
		if (refused !== undefined) return refused;
		const params = call.url.searchParams;
		const fileNames = params.getAll('fileName');
		const fileName = fileNames[0];
		const problem =
			fileNames.length > 1
				? 'The fileName parameter was given more than once.'
				: fileNameProblem(fileName);
		if (problem !== undefined) return badRequest([{ message: problem, field: 'fileName' }]);
		const contentType = params.get('contentType');
		if (contentType !== null && !/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(contentType)) {
			return badRequest([
				{ message: `The contentType "${contentType}" is not a media type.`, field: 'contentType' },
			]);
		}
		const key = `temp/${randomUUID()}/${fileName}`;
		const headers = {
			'Content-Type': contentType ?? contentTypeFor(fileName),
			'x-amz-server-side-encryption': 'AES256',
		};
		const url = await this.parts.signer.presign('PUT', key, {
			headers,
			expiresInSeconds: this.parts.settings.uploadUrlLifetimeSeconds,
		});
		this.pendingUploads.set(key, { key, physicalFile: fileName });
		return { status: 200, body: { url, headers, fileName } };
	}

	private async move(call: ApiCall): Promise<ApiAnswer> {
		const refused = this.parts.authority.refuse(
			call.req.headers.authorization,
			DOCUMENT_WRITE_SCOPE,
		);
		if (refused !== undefined) return refused;
		const body = await readJsonObject(call);
		if ('status' in body) return body;
		const checked = checkMoveRequest(body.fields, this.parts.settings.tenantCategories);
		if ('errors' in checked) return badRequest(checked.errors);
		const request = checked.request;
		const upload = this.oldestUpload(request.physicalFile);
		if (typeof upload === 'string') {
			return badRequest([{ message: upload, field: 'physicalFile' }]);
		}
		const replaced = request.id === undefined ? undefined : this.records.get(request.id);
		if (request.id !== undefined && replaced === undefined) {
			return {
				status: 404,
				body: [{ message: `Document ${request.id} was not found.`, field: 'id' }],
			};
		}
		const record = this.commit(request, upload, replaced);
		const answer =
			this.parts.settings.moveFromTempAnswer === 'number'
				? record.id
				: { documentId: record.id, title: record.title, fileName: record.fileName };
		return { status: 200, body: answer };
	}

	private async link(call: ApiCall, segment: string): Promise<ApiAnswer> {
		const refused = this.parts.authority.refuse(
			call.req.headers.authorization,
			DOCUMENT_READ_SCOPE,
		);
		if (refused !== undefined) return refused;
		if (!/^[1-9]\d{0,14}$/.test(segment)) {
			return badRequest([
				{ message: `The documentId "${segment}" is not a positive integer.`, field: 'documentId' },
			]);
		}
		const expiresInSeconds = parseExpiresInSeconds(
			call.url.searchParams.getAll('expiresInSeconds'),
		);
		if (expiresInSeconds === undefined) {
			const { min, max } = DOWNLOAD_LINK_SECONDS;
			return badRequest([
				{
					message: `The expiresInSeconds parameter must be an integer from ${min} to ${max}.`,
					field: 'expiresInSeconds',
				},
			]);
		}
		const id = Number(segment);
		const record = this.records.get(id);
		if (record === undefined) {
			return { status: 404, body: [{ message: `Document ${id} was not found.` }] };
		}
		// S3 signs to the second; the expiry shown is the one the URL really has.
		const signingDate = new Date(Math.floor(Date.now() / 1000) * 1000);
		const url = await this.parts.signer.presign('GET', record.objectKey, {
			expiresInSeconds,
			signingDate,
			query: { 'response-content-disposition': contentDisposition(record.fileName) },
		});
		return {
			status: 200,
			body: {
				[this.parts.settings.downloadUrlField]: url,
				urlExpiration: new Date(signingDate.getTime() + expiresInSeconds * 1000).toISOString(),
				documentId: id,
				fileName: record.fileName,
			},
		};
	}

	/** The pending upload a move takes, or why there is none; the oldest upload wins a tie. */
	private oldestUpload(physicalFile: string): PendingUpload | string {
		let prepared = false;
		let oldest: PendingUpload | undefined;
		for (const pending of this.pendingUploads.values()) {
			if (pending.physicalFile !== physicalFile) continue;
			prepared = true;
			const order = pending.uploadOrder;
			if (
				order !== undefined &&
				(oldest?.uploadOrder === undefined || order < oldest.uploadOrder)
			) {
				oldest = pending;
			}
		}
		if (oldest !== undefined && this.parts.store.object(oldest.key) !== undefined) return oldest;
		return prepared
			? `The physicalFile "${physicalFile}" was not uploaded: PUT the file to the URL that ` +
					'prepareTempDirectUpload returned, then move it.'
			: `The physicalFile "${physicalFile}" was not uploaded: no temporary upload of that name ` +
					'is waiting (was it prepared, or moved already?).';
	}

	private commit(
		request: MoveRequest,
		upload: PendingUpload,
		replaced: DocumentRecord | undefined,
	): DocumentRecord {
		const id = replaced?.id ?? this.nextId++;
		// A fresh key per version, so a link to the replaced bytes stops working as on S3.
		const objectKey = `documents/${id}/${randomUUID()}/${request.fileName}`;
		const object = this.parts.store.move(upload.key, objectKey);
		if (object === undefined) throw new Error(`The uploaded object ${upload.key} vanished.`);
		this.pendingUploads.delete(upload.key);
		if (replaced !== undefined) this.parts.store.remove(replaced.objectKey);
		const now = new Date().toISOString();
		const record: DocumentRecord = {
			id,
			title: request.title,
			fileName: request.fileName,
			physicalFile: request.physicalFile,
			links: request.links,
			size: object.size,
			sha256: object.sha256,
			contentType: object.contentType,
			objectKey,
			replacedCount: replaced === undefined ? 0 : replaced.replacedCount + 1,
			createdAt: replaced?.createdAt ?? now,
			updatedAt: now,
		};
		if (request.documentCategoryId !== undefined) {
			record.documentCategoryId = request.documentCategoryId;
		}
		if (request.documentCategoryName !== undefined) {
			record.documentCategoryName = request.documentCategoryName;
		}
		this.records.set(id, record);
		return record;
	}
}

function badRequest(errors: FieldError[]): ApiAnswer {
	return { status: 400, body: errors };
}

async function readJsonObject(
	call: ApiCall,
): Promise<{ fields: Map<string, unknown> } | ApiAnswer> {
	const type = mediaType(call.req.headers['content-type']);
	const body = await readBody(call.req, MAX_JSON_BYTES);
	call.tracked.bodySize = body.size;
	if (type !== 'application/json' && !type.endsWith('+json')) {
		return {
			status: 415,
			body: [{ message: `The request entity's media type '${type}' is not supported.` }],
		};
	}
	if (body.tooLarge) {
		return { status: 413, body: [{ message: 'The request body is too large.' }] };
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(body.bytes.toString('utf8'));
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		return badRequest([{ message: `The request body is not valid JSON: ${reason}` }]);
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		return badRequest([{ message: 'The request body must be a JSON object.' }]);
	}
	// ASP.NET binds JSON property names case-insensitively, so PageUp accepts any casing.
	const fields = new Map<string, unknown>();
	for (const [name, value] of Object.entries(parsed)) fields.set(name.toLowerCase(), value);
	return { fields };
}

/** Lets a browser or n8n save the download under the document's own name. */
function contentDisposition(fileName: string): string {
	const ascii = fileName.replace(/[^ -~]|["\\]/g, '_');
	return `attachment; filename="${ascii}"; filename*=UTF-8''${escapeUri(fileName)}`;
}
