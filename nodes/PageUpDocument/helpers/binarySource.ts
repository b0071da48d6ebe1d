// The input file of an upload, read through n8n's binary helpers in whichever mode n8n keeps it.
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { BINARY_ENCODING } from 'n8n-workflow';

import type { UploadSource } from '../transport/transfer';
import { InputError, MAX_UPLOAD_BYTES } from './validate';

export interface BinaryFile extends UploadSource {
	fileName?: string;
	mimeType?: string;
}

const INPUT_FIELD = 'Input Binary Field';

function missingBinary(this: IExecuteFunctions, itemIndex: number, propertyName: string) {
	const present = Object.keys(this.getInputData()[itemIndex]?.binary ?? {});
	return new InputError(
		INPUT_FIELD,
		`${INPUT_FIELD}: item ${itemIndex} has no binary field "${propertyName}"`,
		present.length > 0
			? `This item's binary fields are: ${present.join(', ')}. Set ${INPUT_FIELD} to one of them.`
			: 'This item has no binary data. Put a node that reads or receives the file before ' +
				'this one.',
	);
}

/**
 * Finds the file and its size without reading it. Files kept outside memory (filesystem, S3 or
 * database mode) are streamed from n8n's storage; a file kept in memory is already there.
 */
export async function binaryFile(
	this: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
): Promise<BinaryFile> {
	const binary: IBinaryData | undefined = this.getInputData()[itemIndex]?.binary?.[propertyName];
	if (binary === undefined) throw missingBinary.call(this, itemIndex, propertyName);

	let file: BinaryFile;
	if (binary.id) {
		const id = binary.id;
		const { fileSize } = await this.helpers.getBinaryMetadata(id);
		file = {
			fileName: binary.fileName,
			mimeType: binary.mimeType,
			size: fileSize,
			open: async () => await this.helpers.getBinaryStream(id),
		};
	} else {
		const bytes = Buffer.from(binary.data, BINARY_ENCODING);
		file = {
			fileName: binary.fileName,
			mimeType: binary.mimeType,
			size: bytes.length,
			open: async () => bytes,
		};
	}

	if (file.size === 0) {
		throw new InputError(
			INPUT_FIELD,
			`${INPUT_FIELD}: the file in "${propertyName}" is empty (0 bytes)`,
		);
	}
	if (file.size > MAX_UPLOAD_BYTES) {
		throw new InputError(
			INPUT_FIELD,
			`${INPUT_FIELD}: the file in "${propertyName}" is ${file.size} bytes, over the 5 GiB ` +
				'(5,368,709,120 bytes) that one upload to PageUp can carry',
		);
	}
	return file;
}
