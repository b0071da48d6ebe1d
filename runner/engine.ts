// Runs workflows through n8n's own execution engine (n8n-core's WorkflowExecute), with binary
// data kept the way n8n keeps it, so the node is exercised as a real n8n would run it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import {
	BinaryDataService,
	ExecuteContext,
	ExecutionLifecycleHooks,
	RoutingNode,
	WorkflowExecute,
} from 'n8n-core';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IConnections,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { BINARY_ENCODING, Workflow } from 'n8n-workflow';

import { PageUpApi } from '../credentials/PageUpApi.credentials';
import { PageUpDocument } from '../nodes/PageUpDocument/PageUpDocument.node';
import { CREDENTIAL_TEST_NODE_TYPE, MemoryCredentialsHelper } from './credentials';
import { FileSource, FILE_SOURCE_TYPE } from './fileSource';

export const PAGEUP_DOCUMENT_TYPE = 'n8n-nodes-pageup.pageUpDocument';

export type BinaryDataMode = 'filesystem' | 'default';

export interface LogRecord {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	metadata?: Record<string, unknown>;
}

/** n8n's logger, kept in memory so that a test can read every line the node wrote. */
class RecordingLogger {
	readonly records: LogRecord[] = [];

	constructor(private readonly echo: boolean) {}

	private log(level: LogRecord['level'], message: string, metadata?: Record<string, unknown>) {
		this.records.push({ level, message, metadata });
		if (this.echo)
			console.log(`  [${level}] ${message} ${metadata ? JSON.stringify(metadata) : ''}`);
	}

	error = (message: string, metadata?: Record<string, unknown>) =>
		this.log('error', message, metadata);

	warn = (message: string, metadata?: Record<string, unknown>) =>
		this.log('warn', message, metadata);

	info = (message: string, metadata?: Record<string, unknown>) =>
		this.log('info', message, metadata);

	debug = (message: string, metadata?: Record<string, unknown>) =>
		this.log('debug', message, metadata);

	scoped() {
		return this;
	}
}

class NodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType>) {}

	add(type: string, nodeType: INodeType) {
		this.types[type] = nodeType;
	}

	getByName(type: string): INodeType {
		const nodeType = this.types[type];
		if (nodeType === undefined) throw new Error(`Unknown node type ${type}`);
		return nodeType;
	}

	getByNameAndVersion(type: string): INodeType {
		return this.getByName(type);
	}

	getKnownTypes() {
		return {};
	}
}

export interface StepSpec {
	type: string;
	name?: string;
	parameters?: INode['parameters'];
	credentials?: INode['credentials'];
	continueOnFail?: boolean;
}

export interface RunResult {
	run: IRun;
	/** The main output of each node that ran, by node name (its last run). */
	output(nodeName: string): INodeExecutionData[];
	/** The error the execution stopped on, if any. */
	error: IRun['data']['resultData']['error'];
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

export interface EngineOptions {
	binaryDataMode?: BinaryDataMode;
	/** Print every log line as it is written (the demo does). */
	echoLogs?: boolean;
}

export class Engine {
	readonly credentials = new MemoryCredentialsHelper({
		pageUpApi: new PageUpApi() as ICredentialType,
	});

	readonly logger: RecordingLogger;

	private readonly nodeTypes = new NodeTypes({
		[PAGEUP_DOCUMENT_TYPE]: new PageUpDocument(),
		[FILE_SOURCE_TYPE]: new FileSource(),
	});

	private executions = 0;

	private constructor(
		readonly folder: string,
		echoLogs: boolean,
	) {
		this.logger = new RecordingLogger(echoLogs);
	}

	/**
	 * Sets n8n up in a folder of its own: n8n-core reads its settings from the environment once,
	 * so there is one engine per process (per test file under jest).
	 */
	static async start({ binaryDataMode = 'filesystem', echoLogs = false }: EngineOptions = {}) {
		const folder = mkdtempSync(join(tmpdir(), 'pageup-n8n-'));
		process.env.N8N_USER_FOLDER = folder;
		process.env.N8N_DEFAULT_BINARY_DATA_MODE = binaryDataMode;
		process.env.N8N_BINARY_DATA_STORAGE_PATH = join(folder, 'binaryData');
		process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
		process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';

		const engine = new Engine(folder, echoLogs);
		Container.set(Logger, engine.logger as unknown as Logger);
		await Container.get(BinaryDataService).init();
		return engine;
	}

	/** Makes another node type available to workflows, such as a stand-in for one of n8n's. */
	addNodeType(type: string, nodeType: INodeType) {
		this.nodeTypes.add(type, nodeType);
	}

	addPageUpCredential(data: ICredentialDataDecryptedObject) {
		return this.credentials.add('pageUpApi', data, 'PageUp sandbox');
	}

	/** Runs the steps as a chain, each feeding the next, starting from the first. */
	async runChain(steps: StepSpec[]): Promise<RunResult> {
		const nodes: INode[] = steps.map((step, index) => ({
			id: `node-${index}`,
			name: step.name ?? `${index}: ${step.type.split('.').pop()}`,
			type: step.type,
			typeVersion: 1,
			position: [index * 200, 0],
			parameters: step.parameters ?? {},
			credentials: step.credentials,
			...(step.continueOnFail && { onError: 'continueRegularOutput' as const }),
		}));
		const connections: IConnections = {};
		for (let index = 1; index < nodes.length; index++) {
			connections[nodes[index - 1].name] = {
				main: [[{ node: nodes[index].name, type: 'main', index: 0 }]],
			};
		}
		return await this.run(nodes, connections);
	}

	async run(nodes: INode[], connections: IConnections): Promise<RunResult> {
		const executionId = String(++this.executions);
		const workflowData: IWorkflowBase = {
			id: 'pageup-workflow',
			name: 'PageUp workflow',
			active: false,
			isArchived: false,
			activeVersionId: null,
			nodes,
			connections,
			settings: { executionOrder: 'v1' },
			createdAt: new Date(),
			updatedAt: new Date(),
		};
		const workflow = new Workflow({
			id: workflowData.id,
			name: workflowData.name,
			nodes,
			connections,
			active: false,
			nodeTypes: this.nodeTypes,
			settings: workflowData.settings,
		});
		const additionalData = this.additionalData(executionId, workflowData);
		const run = await new WorkflowExecute(additionalData, 'manual').run(workflow, nodes[0]);
		const { runData, error } = run.data.resultData;
		return {
			run,
			error,
			output: (nodeName) => {
				const runs = runData[nodeName];
				return runs?.[runs.length - 1]?.data?.main?.[0] ?? [];
			},
		};
	}

	private additionalData(executionId: string, workflowData: IWorkflowBase) {
		return {
			credentialsHelper: this.credentials,
			hooks: new ExecutionLifecycleHooks('manual', executionId, workflowData),
			executionId,
			currentNodeExecutionIndex: 0,
			restApiUrl: '',
			instanceBaseUrl: '',
			formWaitingBaseUrl: '',
			webhookBaseUrl: '',
			webhookWaitingBaseUrl: '',
			webhookTestBaseUrl: '',
			variables: {},
			executeWorkflow: async () => {
				throw new Error('Sub-workflows are not available here');
			},
			getRunExecutionData: async () => undefined,
			logAiEvent: () => {},
			startRunnerTask: async () => {
				throw new Error('Task runners are not available here');
			},
		} as unknown as IWorkflowExecuteAdditionalData;
	}

	/**
	 * Tests a stored credential the way n8n's editor does: its test request runs as a routing
	 * node, after a forced `preAuthentication`, and failures become the message the editor shows.
	 */
	async testCredential(credential: { id: string; name: string }): Promise<CredentialTestResult> {
		const type = this.credentials.credentialType('pageUpApi');
		const testRequest = type.test;
		if (testRequest === undefined) return { status: 'Error', message: 'No test request' };
		const node: INode = {
			id: 'temp',
			name: 'Temp-Node',
			type: CREDENTIAL_TEST_NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
			credentials: { pageUpApi: credential },
		};
		const testNodeType: INodeType = {
			description: {
				displayName: 'Credential test',
				name: CREDENTIAL_TEST_NODE_TYPE,
				group: ['transform'],
				version: 1,
				description: '',
				defaults: {},
				inputs: [],
				outputs: [],
				credentials: [{ name: 'pageUpApi', required: true }],
				properties: [
					{
						displayName: 'Temp',
						name: 'temp',
						type: 'string',
						routing: { request: testRequest.request },
						default: '',
					},
				],
			},
		};
		const workflow = new Workflow({
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: new NodeTypes({ [CREDENTIAL_TEST_NODE_TYPE]: testNodeType }),
		});
		const workflowData = { id: 'credential-test', nodes: [node], connections: {} } as never;
		const context = new ExecuteContext(
			workflow,
			node,
			this.additionalData('credential-test', workflowData),
			'internal',
			{ resultData: { runData: {} } } as unknown as IRunExecutionData,
			0,
			[],
			{ main: [[{ json: {} }]] },
			{ node, data: {}, source: null },
			[],
		);
		const decrypted = {
			id: credential.id,
			name: credential.name,
			type: 'pageUpApi',
			data: this.credentials.data(credential.id),
		};
		try {
			await new RoutingNode(context, testNodeType, decrypted).runNode();
		} catch (caught) {
			const error = caught as {
				message: string;
				cause?: { code?: string; response?: { status: number; statusText?: string } };
			};
			const response = error.cause?.response;
			if (response) {
				const rule = testRequest.rules?.find(
					(candidate) =>
						candidate.type === 'responseCode' && candidate.properties.value === response.status,
				);
				if (rule?.type === 'responseCode')
					return { status: 'Error', message: rule.properties.message };
				return {
					status: 'Error',
					message: response.statusText || `Received HTTP status code: ${response.status}`,
				};
			}
			if (error.cause?.code) return { status: 'Error', message: error.cause.code };
			return { status: 'Error', message: String(error.message) };
		}
		return { status: 'OK', message: 'Connection successful!' };
	}

	/** Streams a binary from wherever n8n keeps it. */
	async binaryStream(binary: IBinaryData): Promise<Readable | Buffer> {
		if (binary.id) return await Container.get(BinaryDataService).getAsStream(binary.id);
		return Buffer.from(binary.data, BINARY_ENCODING);
	}

	async readBinary(binary: IBinaryData): Promise<Buffer> {
		const source = await this.binaryStream(binary);
		if (Buffer.isBuffer(source)) return source;
		const chunks: Buffer[] = [];
		for await (const chunk of source) chunks.push(chunk as Buffer);
		return Buffer.concat(chunks);
	}

	close() {
		rmSync(this.folder, { recursive: true, force: true });
	}
}
