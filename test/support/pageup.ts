// A sandboxed PageUp and an n8n engine for one test file, with small helpers to run the node.
import { createHash } from 'node:crypto';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import {
	Engine,
	PAGEUP_DOCUMENT_TYPE,
	type BinaryDataMode,
	type RunResult,
} from '../../runner/engine';
import { FILE_SOURCE_TYPE, sourceItems, type SourceItem } from '../../runner/fileSource';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox';

export const PAGEUP_NODE = 'PageUp';

export interface World {
	sandbox: Sandbox;
	engine: Engine;
	credential: { id: string; name: string };
	/** Runs a file source feeding one PageUp Document node; returns the node's output. */
	runNode(spec: NodeRun): Promise<NodeRunResult>;
	close(): Promise<void>;
}

export interface NodeRun {
	items: SourceItem[];
	parameters: IDataObject;
	continueOnFail?: boolean;
}

export interface NodeRunResult extends RunResult {
	items: INodeExecutionData[];
}

export async function startWorld(
	options: {
		sandbox?: SandboxOptions;
		binaryDataMode?: BinaryDataMode;
		credential?: IDataObject;
	} = {},
): Promise<World> {
	const sandbox = await startSandbox(options.sandbox);
	const engine = await Engine.start({ binaryDataMode: options.binaryDataMode ?? 'filesystem' });
	const { tenantId, clientId, clientSecret, scopes, tokenUrl, apiRootUrl } = sandbox.credentials;
	const credential = engine.addPageUpCredential({
		environment: 'production',
		dataCentre: 'dc2',
		tenantId,
		clientId,
		clientSecret,
		scopes,
		tokenUrl,
		apiRootUrl,
		...options.credential,
	});

	return {
		sandbox,
		engine,
		credential,
		async runNode({ items, parameters, continueOnFail }) {
			const result = await engine.runChain([
				{ type: FILE_SOURCE_TYPE, name: 'Files', parameters: sourceItems(items) },
				{
					type: PAGEUP_DOCUMENT_TYPE,
					name: PAGEUP_NODE,
					parameters: parameters as never,
					credentials: { pageUpApi: credential },
					continueOnFail,
				},
			]);
			return { ...result, items: result.output(PAGEUP_NODE) };
		},
		async close() {
			engine.close();
			await sandbox.close();
		},
	};
}

export const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** An item carrying a small file held in memory until the file source stores it. */
export function fileItem(
	fileName: string,
	content: string | Buffer,
	json: IDataObject = {},
): SourceItem {
	return { json, files: { data: { content, fileName } } };
}

export function uploadParameters(extra: IDataObject = {}): IDataObject {
	return { resource: 'document', operation: 'upload', ...extra };
}

export function downloadUrlParameters(
	documentId: IDataObject[string],
	extra: IDataObject = {},
): IDataObject {
	return { resource: 'document', operation: 'getDownloadUrl', documentId, ...extra };
}

/** The message of the error the execution stopped on. */
export function errorMessage(result: RunResult): string {
	return result.error?.message ?? '(the execution did not fail)';
}
