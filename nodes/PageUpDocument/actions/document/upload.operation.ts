// Upload: prepare a temporary upload, PUT the bytes to S3, then register the document in PageUp.
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { describeAnswer, findDocumentId } from '../../helpers/answers';
import { binaryFile, type BinaryFile } from '../../helpers/binarySource';
import {
	fileName as checkFileName,
	InputError,
	optionalContentType,
	optionalPageUpId,
} from '../../helpers/validate';
import { callPageUp, type ApiContext } from '../../transport/api';
import { failedStepError } from '../../transport/errors';
import { putToPresignedUrl, type PresignedUpload } from '../../transport/transfer';

const NO_SYSTEM_CATEGORY = 0;

const showForUpload = { show: { resource: ['document'], operation: ['upload'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: showForUpload,
		hint: 'The name of the input binary field that holds the file',
		description:
			'Binary field of the incoming item that holds the file, such as "data" or "attachment_0" from an email trigger',
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		displayOptions: showForUpload,
		placeholder: 'e.g. jane-doe-resume.pdf',
		description:
			"Name to store the file under. Leave empty to keep the binary's own name. PageUp infers the file type from the extension.",
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		displayOptions: showForUpload,
		placeholder: 'e.g. Resume',
		description: 'Document title shown in PageUp. Leave empty to use the file name.',
	},
	{
		displayName: 'System Category',
		name: 'documentCategoryId',
		type: 'options',
		// PageUp's system document categories (lLKP_SystemDocumentCategoryID)
		options: [
			{ name: 'Agency', value: 10 },
			{ name: 'Employee Document', value: 18 },
			{ name: 'Job Note', value: 19 },
			{ name: 'Mail Matcher Email', value: 13 },
			{ name: 'None (Use Tenant Category Name)', value: 0 },
			{ name: 'Position Description', value: 14 },
			{ name: 'Report Builder Template', value: 17 },
			{ name: 'Resume', value: 7 },
		],
		default: 7,
		displayOptions: showForUpload,
		description:
			"PageUp system document category. Choose None to file the document under one of your tenant's own categories instead.",
	},
	{
		displayName: 'Tenant Category Name',
		name: 'documentCategoryName',
		type: 'string',
		default: '',
		displayOptions: showForUpload,
		placeholder: 'e.g. Reference Check',
		description:
			"The title of one of your tenant's own document categories, as set up in PageUp. Use it with System Category set to None; PageUp takes one or the other.",
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: showForUpload,
		options: [
			{
				displayName: 'Applicant ID',
				name: 'applicantId',
				type: 'number',
				default: 0,
				description:
					'PageUp applicant ID (lApplicantID). Set it for applicant, application and offer documents.',
			},
			{
				displayName: 'Application ID',
				name: 'applicationId',
				type: 'number',
				default: 0,
				description:
					'PageUp application ID (lApplicationID). Set it for application and offer documents.',
			},
			{
				displayName: 'Content Type',
				name: 'contentType',
				type: 'string',
				default: '',
				placeholder: 'e.g. application/pdf',
				description:
					'Media type to store the file with. Leave empty to let PageUp infer it from the file extension.',
			},
			{
				displayName: 'Job ID',
				name: 'jobId',
				type: 'number',
				default: 0,
				description: 'PageUp job ID (lJobID), for job documents',
			},
			{
				displayName: 'Offer ID',
				name: 'offerId',
				type: 'number',
				default: 0,
				description: 'PageUp offer ID (lOfferID), for offer documents',
			},
			{
				displayName: 'Provider ID',
				name: 'providerId',
				type: 'number',
				default: 0,
				description:
					'PageUp user or employee ID (lProviderID) to record as the uploader, when an employee or user uploads the file',
			},
			{
				displayName: 'Replace Document ID',
				name: 'replaceDocumentId',
				type: 'number',
				default: 0,
				description:
					'ID of an existing PageUp document (lDocumentID) to replace with this file. Leave empty to create a new document.',
			},
		],
	},
];

/** PageUp's system document categories, as the System Category list offers them. */
export const SYSTEM_CATEGORIES = (
	description.find(({ name }) => name === 'documentCategoryId')?.options as Array<{
		name: string;
		value: number;
	}>
).filter(({ value }) => value !== NO_SYSTEM_CATEGORY);

/** The optional ids, by the name the editor shows and the name PageUp's moveFromTemp takes. */
const LINKS = [
	{ field: 'applicantId', label: 'Applicant ID', pageUp: 'applicantId' },
	{ field: 'applicationId', label: 'Application ID', pageUp: 'applicationId' },
	{ field: 'jobId', label: 'Job ID', pageUp: 'jobId' },
	{ field: 'offerId', label: 'Offer ID', pageUp: 'offerId' },
	{ field: 'providerId', label: 'Provider ID', pageUp: 'providerID' },
	{ field: 'replaceDocumentId', label: 'Replace Document ID', pageUp: 'id' },
] as const;

interface UploadInput {
	file: BinaryFile;
	fileName: string;
	title: string;
	category: { documentCategoryId: number } | { documentCategoryName: string };
	links: IDataObject;
	contentType?: string;
}

function category(this: IExecuteFunctions, itemIndex: number): UploadInput['category'] {
	const id = Number(this.getNodeParameter('documentCategoryId', itemIndex, NO_SYSTEM_CATEGORY));
	const name = String(this.getNodeParameter('documentCategoryName', itemIndex, '')).trim();
	const hint =
		'Pick a System Category, or set System Category to None and give a Tenant Category Name.';

	if (id !== NO_SYSTEM_CATEGORY && name !== '') {
		throw new InputError(
			'System Category',
			'System Category and Tenant Category Name are both set, and PageUp takes only one',
			hint,
		);
	}
	if (id === NO_SYSTEM_CATEGORY && name === '') {
		throw new InputError('Tenant Category Name', 'No document category is set', hint);
	}
	if (id !== NO_SYSTEM_CATEGORY && !SYSTEM_CATEGORIES.some(({ value }) => value === id)) {
		throw new InputError(
			'System Category',
			`System Category ${this.getNodeParameter('documentCategoryId', itemIndex)} is not a PageUp system category`,
			`Use one of ${SYSTEM_CATEGORIES.map(({ name, value }) => `${value} (${name})`).join(', ')}.`,
		);
	}
	return id !== NO_SYSTEM_CATEGORY ? { documentCategoryId: id } : { documentCategoryName: name };
}

async function readInput(this: IExecuteFunctions, itemIndex: number): Promise<UploadInput> {
	const binaryPropertyName = String(this.getNodeParameter('binaryPropertyName', itemIndex)).trim();
	const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const links: IDataObject = {};
	for (const { field, label, pageUp } of LINKS) {
		const id = optionalPageUpId(additional[field], label);
		if (id !== undefined) links[pageUp] = id;
	}
	const chosenCategory = category.call(this, itemIndex);
	const contentType = optionalContentType(additional.contentType);

	const file = await binaryFile.call(this, itemIndex, binaryPropertyName);
	const givenName = String(this.getNodeParameter('fileName', itemIndex, '')).trim();
	const fileName = checkFileName(
		givenName || file.fileName,
		givenName ? 'File Name' : 'File Name (from the binary)',
	);
	const title = String(this.getNodeParameter('title', itemIndex, '')).trim() || fileName;
	return { file, fileName, title, category: chosenCategory, links, contentType };
}

async function prepareUpload(
	this: IExecuteFunctions,
	api: ApiContext,
	input: UploadInput,
	itemIndex: number,
): Promise<PresignedUpload> {
	const answer = await callPageUp.call(this, api, {
		step: 'prepare',
		method: 'GET',
		path: '/prepareTempDirectUpload',
		qs: { fileName: input.fileName, ...(input.contentType && { contentType: input.contentType }) },
		itemIndex,
		idempotent: true,
	});
	const { url, headers } = (answer ?? {}) as { url?: unknown; headers?: unknown };
	if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
		throw failedStepError(this.getNode(), {
			step: 'prepare',
			attempt: { messages: [`the answer holds no upload URL: it was ${describeAnswer(answer)}`] },
			attempts: 1,
			itemIndex,
			hint: 'PageUp answered without an upload URL; nothing was uploaded.',
		});
	}
	const signedHeaders: Record<string, string> = {};
	if (typeof headers === 'object' && headers !== null) {
		for (const [name, value] of Object.entries(headers)) signedHeaders[name] = String(value);
	}
	return { url, headers: signedHeaders };
}

// One fresh URL is enough: an upload that outlives two 30-minute URLs has a different problem.
const MAX_PREPARES = 2;

async function transferBytes(
	this: IExecuteFunctions,
	api: ApiContext,
	input: UploadInput,
	itemIndex: number,
): Promise<void> {
	for (let prepares = 1; ; prepares++) {
		const upload = await prepareUpload.call(this, api, input, itemIndex);
		const outcome = await putToPresignedUrl.call(this, upload, input.file, {
			retry: api.retry,
			timeoutMs: api.timeoutMs,
			itemIndex,
		});
		if (outcome === 'stored') return;
		if (prepares >= MAX_PREPARES) {
			throw failedStepError(this.getNode(), {
				step: 'transfer',
				attempt: { status: 403, messages: ['the upload URL expired before the bytes arrived'] },
				attempts: prepares,
				itemIndex,
				hint: "Temporary storage kept refusing fresh upload URLs: check the n8n host's clock.",
			});
		}
	}
}

async function registerDocument(
	this: IExecuteFunctions,
	api: ApiContext,
	input: UploadInput,
	itemIndex: number,
): Promise<unknown> {
	// Replacing a given document is the same request however often it is made; creating one is not.
	const replacing = input.links.id !== undefined;
	return await callPageUp.call(this, api, {
		step: 'register',
		method: 'POST',
		path: '/moveFromTemp',
		body: {
			title: input.title,
			fileName: input.fileName,
			physicalFile: input.fileName,
			...input.category,
			...input.links,
		},
		itemIndex,
		idempotent: replacing,
		context: { physicalFile: input.fileName, bytesInTemporaryStorage: true },
	});
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	api: ApiContext,
): Promise<INodeExecutionData> {
	const input = await readInput.call(this, itemIndex);
	this.logger.debug('PageUp upload starting', { itemIndex, bytes: input.file.size });

	await transferBytes.call(this, api, input, itemIndex);

	const answer = await registerDocument.call(this, api, input, itemIndex);

	const documentId = findDocumentId(answer) ?? null;
	if (documentId === null) {
		this.logger.warn('PageUp registered the document but its answer names no document ID', {
			itemIndex,
		});
	}
	this.logger.debug('PageUp upload finished', { itemIndex, documentId });
	return {
		json: {
			documentId,
			title: input.title,
			fileName: input.fileName,
			fileSize: input.file.size,
			...(input.contentType && { contentType: input.contentType }),
			...input.category,
			...(input.links.id !== undefined && { replacedDocumentId: input.links.id }),
			pageUp: (answer ?? null) as IDataObject,
		},
		pairedItem: { item: itemIndex },
	};
}
