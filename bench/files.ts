// Input files for the uploads, written once per bench into a temporary folder.
import { createHash, randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { UploadFile } from './protocol';

const CHUNK_BYTES = 1024 ** 2;

/** A file of random bytes (nothing on the way can compress it); answers its SHA-256. */
export async function writeRandomFile(path: string, bytes: number): Promise<string> {
	const hash = createHash('sha256');
	const out = createWriteStream(path);
	const chunk = Buffer.alloc(CHUNK_BYTES);
	for (let written = 0; written < bytes; written += CHUNK_BYTES) {
		const piece = chunk.subarray(0, Math.min(CHUNK_BYTES, bytes - written));
		randomFillSync(piece);
		hash.update(piece);
		// A copy, since the buffer is refilled before the stream has written it.
		if (!out.write(Buffer.from(piece))) await once(out, 'drain');
	}
	out.end();
	await once(out, 'finish');
	return hash.digest('hex');
}

/** `count` files of `bytes` each, with names unique in the sandbox. */
export async function writeSmallFiles(
	folder: string,
	prefix: string,
	count: number,
	bytes: number,
): Promise<UploadFile[]> {
	const files = Array.from({ length: count }, (_, index) => {
		const fileName = `${prefix}-${String(index).padStart(5, '0')}.pdf`;
		return { path: join(folder, fileName), fileName };
	});
	for (const file of files) await writeFile(file.path, randomFillSync(Buffer.alloc(bytes)));
	return files;
}
