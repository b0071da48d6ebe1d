// The bench's child process: runs the node through n8n's engine, or the baseline client, on the
// parent's sandbox, so that memory measured here belongs to the node and not to the sandbox.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { mapInOrder } from '../nodes/PageUpDocument/helpers/concurrency';
import { Engine, PAGEUP_DOCUMENT_TYPE } from '../runner/engine';
import { FILE_SOURCE_TYPE, sourceItems, type SourceItem } from '../runner/fileSource';
import type { SandboxCredentials } from '../sandbox';
import { BaselineClient } from './baselineClient';
import { HelperFloor, HELPER_FLOOR_TYPE } from './helperFloor';
import { ProcessSampler } from './sampler';
import type {
	DownloadUrlJob,
	FromWorker,
	Job,
	JobResult,
	ToWorker,
	UploadFile,
	UploadJob,
} from './protocol';

const PAGEUP_NODE = 'PageUp';

let engine: Engine;

let credentials: SandboxCredentials;

let credentialReads = 0;

function send(message: FromWorker) {
	process.send?.(message);
}

function countCredentialReads(counted: Engine) {
	const helper = counted.credentials;
	const getDecrypted = helper.getDecrypted.bind(helper);
	helper.getDecrypted = async (...args) => {
		credentialReads++;
		return await getDecrypted(...args);
	};
}

function documentIdOf(item: INodeExecutionData): number | null {
	const id = item.json.documentId;
	return typeof id === 'number' ? id : null;
}

function pairedIndex(item: INodeExecutionData): number | undefined {
	const paired = item.pairedItem;
	if (typeof paired === 'number') return paired;
	return Array.isArray(paired) ? paired[0]?.item : paired?.item;
}

/** A fresh credential per run, so that each execution starts without a stored token. */
function freshCredential() {
	return engine.addPageUpCredential({
		environment: 'production',
		dataCentre: 'dc2',
		...credentials,
	});
}

function nodeOptions(concurrency: number | undefined): IDataObject {
	return concurrency === undefined ? {} : { concurrency };
}

function fileItems(files: UploadFile[]): SourceItem[] {
	return files.map(({ path, fileName }) => ({ files: { data: { path, fileName } } }));
}

/**
 * The files as the node finds them: copied by the file source into n8n's binary storage. The
 * baseline reads these copies too, so that both start from files written just before, in the
 * same state of the machine's memory (on a VM, a fresh gigabyte in the page cache costs the
 * next gigabyte written more kernel time than the bytes' transfer does).
 */
async function storedCopies(files: UploadFile[]): Promise<UploadFile[]> {
	const result = await engine.runChain([
		{ type: FILE_SOURCE_TYPE, name: 'Files', parameters: sourceItems(fileItems(files)) },
	]);
	const binaryData = Container.get(BinaryDataService);
	return result.output('Files').map((item, index) => {
		const id = item.binary?.data?.id;
		if (id === undefined) throw new Error('the file source kept a file in memory');
		return { path: binaryData.getPath(id), fileName: files[index].fileName };
	});
}

async function runNode(job: Job): Promise<Omit<JobResult, 'credentialReads'>> {
	const items: SourceItem[] =
		job.kind === 'upload'
			? fileItems(job.files)
			: job.documentIds.map((documentId) => ({ json: { documentId } }));
	const helpers = job.runner === 'helpers';
	if (helpers && job.kind !== 'upload') throw new Error('the helper floor only uploads');
	const parameters: IDataObject = helpers
		? { concurrency: job.concurrency ?? 8 }
		: job.kind === 'upload'
			? { resource: 'document', operation: 'upload', options: nodeOptions(job.concurrency) }
			: {
					resource: 'document',
					operation: 'getDownloadUrl',
					documentId: '={{ $json.documentId }}',
					expiresInSeconds: 60,
					options: nodeOptions(job.concurrency),
				};

	const sampler = new ProcessSampler();
	const result = await engine.runChain([
		{ type: FILE_SOURCE_TYPE, name: 'Files', parameters: sourceItems(items) },
		{
			type: helpers ? HELPER_FLOOR_TYPE : PAGEUP_DOCUMENT_TYPE,
			name: PAGEUP_NODE,
			parameters: parameters as never,
			credentials: { pageUpApi: freshCredential() },
		},
	]);
	sampler.stop();
	const task = result.run.data.resultData.runData[PAGEUP_NODE]?.[0];
	const from = task?.startTime ?? 0;
	const window = { from, to: from + (task?.executionTime ?? 0) };
	const output = result.output(PAGEUP_NODE);

	let orderErrors = 0;
	output.forEach((item, index) => {
		const expected = job.kind === 'downloadUrl' ? job.documentIds[index] : undefined;
		const wrongId = expected !== undefined && documentIdOf(item) !== expected;
		if (wrongId || pairedIndex(item) !== index) orderErrors++;
	});
	orderErrors += Math.abs(items.length - output.length);
	return {
		ms: task?.executionTime ?? Number.NaN,
		documentIds: output.map(documentIdOf),
		orderErrors,
		cpuMs: sampler.cpuMs(window),
		error: result.error?.message,
		memory: job.kind === 'upload' && job.measureMemory ? sampler.memory(window) : undefined,
	};
}

async function runBaseline(
	job: UploadJob | DownloadUrlJob,
): Promise<Omit<JobResult, 'credentialReads'>> {
	const client = new BaselineClient(credentials);
	const lanes = job.concurrency ?? 1;
	const files = job.kind === 'upload' ? await storedCopies(job.files) : [];
	const sampler = new ProcessSampler();
	const from = Date.now();
	const started = performance.now();
	const token = await client.token();
	const documentIds =
		job.kind === 'upload'
			? await mapInOrder(files.length, lanes, (index) => client.upload(token, files[index]))
			: await mapInOrder(job.documentIds.length, lanes, (index) =>
					client.downloadUrl(token, job.documentIds[index]),
				);
	const ms = performance.now() - started;
	sampler.stop();
	const window = { from, to: Date.now() };
	const orderErrors =
		job.kind === 'downloadUrl'
			? documentIds.filter((id, index) => id !== job.documentIds[index]).length
			: 0;
	return {
		ms,
		documentIds,
		orderErrors,
		cpuMs: sampler.cpuMs(window),
		memory: job.kind === 'upload' && job.measureMemory ? sampler.memory(window) : undefined,
	};
}

// Each run's files are copies in n8n's storage; without this, a run of 1 GiB uploads fills the disk.
async function emptyBinaryStorage() {
	const storage = process.env.N8N_BINARY_DATA_STORAGE_PATH;
	if (storage === undefined) return;
	const entries = await readdir(storage).catch(() => []);
	await Promise.all(
		entries.map((name) => rm(join(storage, name), { recursive: true, force: true })),
	);
}

async function run(job: Job): Promise<JobResult> {
	credentialReads = 0;
	try {
		const result = job.runner === 'baseline' ? await runBaseline(job) : await runNode(job);
		return { ...result, credentialReads };
	} finally {
		engine.logger.records.length = 0;
		await emptyBinaryStorage();
	}
}

process.on('message', (message: ToWorker) => {
	if (message.type === 'init') {
		credentials = message.credentials;
		Engine.start({ binaryDataMode: 'filesystem' }).then(
			(started) => {
				engine = started;
				engine.addNodeType(HELPER_FLOOR_TYPE, new HelperFloor());
				countCredentialReads(engine);
				send({ type: 'ready' });
			},
			(error: Error) => {
				console.error(error);
				process.exit(1);
			},
		);
		return;
	}
	run(message.job).then(
		(result) => send({ type: 'done', id: message.id, result }),
		(error: Error) => send({ type: 'failed', id: message.id, message: error.message }),
	);
});

process.on('disconnect', () => {
	engine?.close();
	process.exit(0);
});
