// A stand-in for the nodes that bring files into a workflow (Read Files, an email trigger): it
// emits one item per entry, with files streamed into n8n's binary storage.
import { createReadStream } from 'node:fs';

import type {
	IBinaryData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

export const FILE_SOURCE_TYPE = 'pageup-runner.fileSource';

export interface SourceFile {
	/** A file on disk, streamed; or `content`, held in memory. */
	path?: string;
	content?: string | Buffer;
	fileName?: string;
	mimeType?: string;
}

export interface SourceItem {
	json?: IDataObject;
	files?: Record<string, SourceFile>;
}

/** The parameters that make the file source emit these items. */
export function sourceItems(items: SourceItem[]): INodeParameters {
	return {
		items: items.map(({ json, files }) => ({
			json: json ?? {},
			files: Object.fromEntries(
				Object.entries(files ?? {}).map(([name, file]) => [
					name,
					{
						...file,
						content: Buffer.isBuffer(file.content) ? file.content.toString('base64') : undefined,
						text: typeof file.content === 'string' ? file.content : undefined,
					},
				]),
			),
		})),
	} as unknown as INodeParameters;
}

interface StoredSourceFile {
	path?: string;
	content?: string;
	text?: string;
	fileName?: string;
	mimeType?: string;
}

export class FileSource implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'File Source',
		name: 'fileSource',
		group: ['input'],
		version: 1,
		description: 'Emits items with files',
		defaults: { name: 'File Source' },
		inputs: [],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getNodeParameter('items', 0) as Array<{
			json: IDataObject;
			files: Record<string, StoredSourceFile>;
		}>;
		const output: INodeExecutionData[] = [];
		for (const [index, item] of items.entries()) {
			const binary: Record<string, IBinaryData> = {};
			for (const [name, file] of Object.entries(item.files)) {
				const body =
					file.path !== undefined
						? createReadStream(file.path)
						: Buffer.from(
								file.text ?? file.content ?? '',
								file.text !== undefined ? 'utf8' : 'base64',
							);
				binary[name] = await this.helpers.prepareBinaryData(body, file.fileName, file.mimeType);
			}
			output.push({
				json: item.json,
				...(Object.keys(binary).length > 0 && { binary }),
				pairedItem: { item: index },
			});
		}
		return [output];
	}
}
