// Runs the chosen operation for every input item: concurrency, continue-on-fail and pairing.
import type { IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { mapInOrder } from '../helpers/concurrency';
import { InputError } from '../helpers/validate';
import { storedCredential, type ApiContext } from '../transport/api';
import { EndpointError, resolveEndpoints } from '../transport/endpoints';
import { TokenRenewals } from '../transport/renewal';
import * as getDownloadUrl from './document/getDownloadUrl.operation';
import * as upload from './document/upload.operation';
import { readOptions, type RunOptions } from './options';

const operations = { upload, getDownloadUrl };

type Operation = keyof typeof operations;

function asNodeError(this: IExecuteFunctions, error: unknown, itemIndex: number) {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof InputError) {
		return new NodeOperationError(this.getNode(), error.message, {
			itemIndex,
			description: error.hint ?? `Change the "${error.parameter}" parameter and run again.`,
		});
	}
	return new NodeOperationError(this.getNode(), error as Error, { itemIndex });
}

/** The error as one output item: what failed, in words and in fields a flow can branch on. */
function errorItem(
	error: NodeApiError | NodeOperationError,
	itemIndex: number,
): INodeExecutionData {
	const response = (error.errorResponse ?? {}) as JsonObject;
	return {
		json: {
			error: error.message,
			...(error.description && { description: error.description }),
			...response,
			...(error instanceof NodeApiError && error.httpCode && { httpCode: error.httpCode }),
			itemIndex,
		},
		pairedItem: { item: itemIndex },
	};
}

async function apiContext(this: IExecuteFunctions, options: RunOptions): Promise<ApiContext> {
	const credential = await storedCredential.call(this);
	try {
		const { apiRootUrl } = resolveEndpoints(credential.data);
		const renewals = new TokenRenewals(async () => await storedCredential.call(this), credential);
		return { apiRootUrl, retry: options.retry, timeoutMs: options.timeoutMs, renewals };
	} catch (error) {
		if (!(error instanceof EndpointError))
			throw new NodeOperationError(this.getNode(), error as Error);
		throw new NodeOperationError(this.getNode(), `PageUp API credential: ${error.message}`, {
			description: 'Open the PageUp API credential and correct the field named above.',
		});
	}
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as Operation;
	const run = operations[operation]?.execute;
	if (run === undefined) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}

	let options: RunOptions;
	let api: ApiContext;
	try {
		options = readOptions.call(this);
		api = await apiContext.call(this, options);
	} catch (error) {
		// Bad options or credential fields fail every item alike.
		const nodeError = asNodeError.call(this, error, 0);
		if (!this.continueOnFail()) throw nodeError;
		return [items.map((_, itemIndex) => errorItem(nodeError, itemIndex))];
	}

	const results = await mapInOrder(items.length, options.concurrency, async (itemIndex) => {
		try {
			return await run.call(this, itemIndex, api);
		} catch (error) {
			const nodeError = asNodeError.call(this, error, itemIndex);
			if (!this.continueOnFail()) throw nodeError;
			return errorItem(nodeError, itemIndex);
		}
	});
	return [results];
}
