// A measuring stick, not a node to use: the three upload requests through n8n's own helpers and
// nothing else (no checks, no retries, no error words). What it costs per item is the least any
// node can cost that goes through those helpers, so the gap between it and the PageUp Document
// node is the node's own work.
import type {
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { mapInOrder } from '../nodes/PageUpDocument/helpers/concurrency';
import { CREDENTIAL_TYPE, storedCredential } from '../nodes/PageUpDocument/transport/api';

export const HELPER_FLOOR_TYPE = 'n8n-nodes-pageup-bench.helperFloor';

interface Prepared {
	url: string;
	headers: Record<string, string>;
}

export class HelperFloor implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Helper Floor',
		name: 'helperFloor',
		group: ['transform'],
		version: 1,
		description: "Uploads each item's file with only n8n's request helpers",
		defaults: { name: 'Helper Floor' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties: [{ displayName: 'Concurrency', name: 'concurrency', type: 'number', default: 8 }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const concurrency = this.getNodeParameter('concurrency', 0) as number;
		const credential = await storedCredential.call(this);
		const apiRootUrl = String(credential.data.apiRootUrl);
		const api = async (request: IHttpRequestOptions) =>
			await this.helpers.httpRequestWithAuthentication.call(
				this,
				CREDENTIAL_TYPE,
				{ ...request, json: true, disableFollowRedirect: true },
				{ credentialsDecrypted: credential },
			);

		const upload = async (itemIndex: number): Promise<INodeExecutionData> => {
			const binary = items[itemIndex].binary?.data;
			if (binary?.id === undefined) throw new Error('the helper floor reads stored files only');
			const fileName = binary.fileName ?? 'file';
			const prepared = (await api({
				method: 'GET',
				url: `${apiRootUrl}/prepareTempDirectUpload`,
				qs: { fileName },
			})) as Prepared;
			const { fileSize } = await this.helpers.getBinaryMetadata(binary.id);
			await this.helpers.httpRequest({
				method: 'PUT',
				url: prepared.url,
				headers: { ...prepared.headers, 'Content-Length': String(fileSize) },
				body: await this.helpers.getBinaryStream(binary.id),
				disableFollowRedirect: true,
			});
			const moved = (await api({
				method: 'POST',
				url: `${apiRootUrl}/moveFromTemp`,
				body: { title: fileName, fileName, physicalFile: fileName, documentCategoryId: 7 },
			})) as { documentId: number };
			return { json: { documentId: moved.documentId }, pairedItem: { item: itemIndex } };
		};
		return [await mapInOrder(items.length, concurrency, upload)];
	}
}
