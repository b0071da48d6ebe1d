import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as getDownloadUrl from './actions/document/getDownloadUrl.operation';
import * as upload from './actions/document/upload.operation';
import * as options from './actions/options';
import { router } from './actions/router';

export class PageUpDocument implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'PageUp Document',
		name: 'pageUpDocument',
		icon: { light: 'file:pageUp.svg', dark: 'file:pageUp.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "upload" ? "Upload" : "Get Download URL" }}',
		description: 'Upload recruitment documents to PageUp and get download links for them',
		defaults: { name: 'PageUp Document' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'pageUpApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Document', value: 'document' }],
				default: 'document',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['document'] } },
				options: [
					{
						name: 'Upload',
						value: 'upload',
						description: 'File a binary file in PageUp, linked to an applicant, job or offer',
						action: 'Upload a document',
					},
					{
						name: 'Get Download URL',
						value: 'getDownloadUrl',
						description: 'Get a time-limited link to a document, and optionally the file',
						action: 'Get a download URL for a document',
					},
				],
				default: 'upload',
			},
			...upload.description,
			...getDownloadUrl.description,
			options.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
