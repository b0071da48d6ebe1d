// Object bytes on disk under the data directory, indexed in memory by S3 key.

import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The file path of an object whose bytes were not kept. */
const NO_FILE = '';

/** Takes a body's bytes and keeps none of them. */
function dropBytes(): Writable {
	return new Writable({
		write(_chunk, _encoding, done) {
			done();
		},
	});
}

export interface StoredObject {
	key: string;
	filePath: string;
	size: number;
	sha256: string;
	contentType: string;
	storedAt: Date;
}

/** Bytes received into a part file, not yet visible under any key. */
export interface ReceivedPart {
	partPath: string;
	size: number;
	sha256: string;
}

export interface OpenedObject {
	object: StoredObject;
	file: FileHandle;
}

export class ObjectStore {
	private readonly objects = new Map<string, StoredObject>();

	private constructor(
		private readonly incomingDir: string,
		private readonly objectsDir: string,
		/** False keeps each object's size and SHA-256 only: its bytes are counted, then dropped. */
		private readonly keepBytes: boolean,
	) {}

	static async open(dataDir: string, { keepBytes = true } = {}): Promise<ObjectStore> {
		const store = new ObjectStore(join(dataDir, 'incoming'), join(dataDir, 'objects'), keepBytes);
		await mkdir(store.incomingDir, { recursive: true });
		await mkdir(store.objectsDir, { recursive: true });
		return store;
	}

	/** Streams a body to its own part file, hashing as it goes; the file is gone on failure. */
	async receive(source: Readable, onProgress?: (bytes: number) => void): Promise<ReceivedPart> {
		const partPath = this.keepBytes ? join(this.incomingDir, `${randomUUID()}.part`) : NO_FILE;
		const hash = createHash('sha256');
		let size = 0;
		const meter = new Transform({
			transform(chunk: Buffer, _encoding, done) {
				hash.update(chunk);
				size += chunk.length;
				onProgress?.(size);
				done(null, chunk);
			},
		});
		try {
			const sink = this.keepBytes ? createWriteStream(partPath, { flags: 'wx' }) : dropBytes();
			await pipeline(source, meter, sink);
		} catch (error) {
			await this.discard(partPath);
			throw error;
		}
		return { partPath, size, sha256: hash.digest('hex') };
	}

	/** Makes a part the object under `key`; a rename, so concurrent PUTs never see halves. */
	async commit(part: ReceivedPart, key: string, contentType: string): Promise<StoredObject> {
		let filePath = NO_FILE;
		if (part.partPath !== NO_FILE) {
			filePath = join(this.objectsDir, randomUUID());
			await rename(part.partPath, filePath);
		}
		const object: StoredObject = {
			key,
			filePath,
			size: part.size,
			sha256: part.sha256,
			contentType,
			storedAt: new Date(),
		};
		this.replace(key, object);
		return object;
	}

	async discard(partPath: string): Promise<void> {
		if (partPath !== NO_FILE) await rm(partPath, { force: true });
	}

	object(key: string): StoredObject | undefined {
		return this.objects.get(key);
	}

	/** Moves an object to another key without touching its bytes. */
	move(from: string, to: string): StoredObject | undefined {
		const object = this.objects.get(from);
		if (object === undefined) return undefined;
		this.objects.delete(from);
		const moved = { ...object, key: to };
		this.replace(to, moved);
		return moved;
	}

	remove(key: string): void {
		const object = this.objects.get(key);
		if (object === undefined) return;
		this.objects.delete(key);
		unlinkLater(object.filePath);
	}

	read(key: string): Buffer | undefined {
		const object = this.objects.get(key);
		return object === undefined || object.filePath === NO_FILE
			? undefined
			: readFileSync(object.filePath);
	}

	/** Opens the object's file now, so a concurrent replace cannot pull it away mid-answer. */
	async openObject(key: string): Promise<OpenedObject | undefined> {
		const object = this.objects.get(key);
		if (object === undefined || object.filePath === NO_FILE) return undefined;
		try {
			return { object, file: await open(object.filePath, 'r') };
		} catch {
			return undefined;
		}
	}

	private replace(key: string, object: StoredObject): void {
		const previous = this.objects.get(key);
		this.objects.set(key, object);
		// Readers that opened the old file keep reading it; unlinking only drops the name.
		if (previous !== undefined && previous.filePath !== object.filePath) {
			unlinkLater(previous.filePath);
		}
	}
}

/** Removes a file in the background; a sandbox that is closing may already have removed it. */
function unlinkLater(filePath: string): void {
	if (filePath !== NO_FILE) rm(filePath, { force: true }).catch(() => undefined);
}
