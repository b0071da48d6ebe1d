// Get Download URL: a time-limited link to a PageUp document, and optionally the file itself.
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { describeAnswer, findDownloadUrl, findExpiry } from '../../helpers/answers';
import {
	expiresInSeconds as checkExpiresInSeconds,
	MAX_EXPIRES_IN_SECONDS,
	MIN_EXPIRES_IN_SECONDS,
	pageUpId,
} from '../../helpers/validate';
import { callPageUp, type ApiContext } from '../../transport/api';
import { failedStepError } from '../../transport/errors';
import { downloadFromUrl } from '../../transport/transfer';

const showForDownloadUrl = { show: { resource: ['document'], operation: ['getDownloadUrl'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Document ID',
		name: 'documentId',
		type: 'number',
		default: 0,
		required: true,
		displayOptions: showForDownloadUrl,
		description:
			"PageUp document ID (lDocumentID), such as the Document ID output by this node's Upload",
	},
	{
		displayName: 'Expires In Seconds',
		name: 'expiresInSeconds',
		type: 'number',
		typeOptions: {
			minValue: MIN_EXPIRES_IN_SECONDS,
			maxValue: MAX_EXPIRES_IN_SECONDS,
			numberPrecision: 0,
		},
		default: 60,
		displayOptions: showForDownloadUrl,
		description: 'How long the link works, from 10 to 300 seconds',
	},
	{
		displayName: 'Download File',
		name: 'download',
		type: 'boolean',
		default: false,
		displayOptions: showForDownloadUrl,
		description:
			'Whether to also download the file into a binary field, ready to attach to an email or save',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'downloadPropertyName',
		type: 'string',
		default: 'data',
		displayOptions: { show: { ...showForDownloadUrl.show, download: [true] } },
		hint: 'The name of the output binary field to put the file in',
	},
];

function fileNameOf(answer: unknown): string | undefined {
	const { fileName } = (answer ?? {}) as { fileName?: unknown };
	return typeof fileName === 'string' && fileName !== '' ? fileName : undefined;
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	api: ApiContext,
): Promise<INodeExecutionData> {
	const documentId = pageUpId(this.getNodeParameter('documentId', itemIndex), 'Document ID');
	const expiresInSeconds = checkExpiresInSeconds(
		this.getNodeParameter('expiresInSeconds', itemIndex),
	);
	const download = this.getNodeParameter('download', itemIndex, false) as boolean;
	const requestedAt = Date.now();

	const answer = await callPageUp.call(this, api, {
		step: 'download link',
		method: 'GET',
		path: `/${documentId}`,
		qs: { expiresInSeconds },
		itemIndex,
		idempotent: true,
	});

	const url = findDownloadUrl(answer);
	if (url === undefined) {
		throw failedStepError(this.getNode(), {
			step: 'download link',
			attempt: { messages: [`the answer holds no download URL: it was ${describeAnswer(answer)}`] },
			attempts: 1,
			itemIndex,
			hint: "PageUp's answer did not have the expected shape; give this message to PageUp support.",
		});
	}
	const expiresAt =
		findExpiry(answer) ?? new Date(requestedAt + expiresInSeconds * 1000).toISOString();
	const item: INodeExecutionData = {
		json: { documentId, url, expiresInSeconds, expiresAt, pageUp: answer as IDataObject },
		pairedItem: { item: itemIndex },
	};

	if (download) {
		const propertyName = String(this.getNodeParameter('downloadPropertyName', itemIndex, 'data'));
		item.binary = {
			[propertyName]: await downloadFromUrl.call(this, url, fileNameOf(answer), {
				retry: api.retry,
				timeoutMs: api.timeoutMs,
				itemIndex,
			}),
		};
	}
	this.logger.debug('PageUp download link ready', { itemIndex, documentId, download });
	return item;
}
