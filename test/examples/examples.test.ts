import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type {
	IConnections,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { PAGEUP_DOCUMENT_TYPE } from '../../runner/engine';
import { FILE_SOURCE_TYPE, sourceItems, type SourceItem } from '../../runner/fileSource';
import { fileItem, sha256, startWorld, uploadParameters, type World } from '../support/pageup';

const examplesFolder = join(__dirname, '../../examples');

interface Example {
	name: string;
	nodes: INode[];
	connections: IConnections;
}

const readExample = (file: string): Example =>
	JSON.parse(readFileSync(join(examplesFolder, file), 'utf8')) as Example;

const EMAIL_SINK_TYPE = 'examples.emailSink';

/** Stands in for n8n's Send Email node: resolves its fields, as n8n would, and sends nothing. */
class EmailSink implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Email sink',
		name: 'emailSink',
		group: ['output'],
		version: 1,
		description: 'Resolves an email without sending it',
		defaults: {},
		inputs: ['main'],
		outputs: ['main'],
		properties: ['fromEmail', 'toEmail', 'subject', 'text'].map((name) => ({
			displayName: name,
			name,
			type: 'string' as const,
			default: '',
		})),
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [
			this.getInputData().map((_, index) => ({
				json: {
					to: this.getNodeParameter('toEmail', index),
					subject: this.getNodeParameter('subject', index),
					text: this.getNodeParameter('text', index),
				},
				pairedItem: { item: index },
			})),
		];
	}
}

/**
 * Runs an example as n8n would, with its PageUp nodes and their parameters exactly as written;
 * its other nodes (triggers, code, email) are replaced by stand-ins that emit the given items.
 */
async function runExample(world: World, file: string, inputs: Record<string, SourceItem[]>) {
	const example = readExample(file);
	const nodes = example.nodes.map((node): INode => {
		if (node.type === PAGEUP_DOCUMENT_TYPE) {
			return { ...node, credentials: { pageUpApi: world.credential } };
		}
		if (node.type === 'n8n-nodes-base.emailSend')
			return { ...node, type: EMAIL_SINK_TYPE, typeVersion: 1 };
		const items = inputs[node.name];
		if (items === undefined) throw new Error(`No stand-in items for "${node.name}" in ${file}`);
		return { ...node, type: FILE_SOURCE_TYPE, typeVersion: 1, parameters: sourceItems(items) };
	});
	// A trigger replaced by a stand-in is where the run starts.
	const start = nodes.find(
		(node) =>
			!Object.values(example.connections).some(({ main }) =>
				main.some((outputs) => outputs?.some(({ node: target }) => target === node.name)),
			),
	);
	return await world.engine.run(
		[start!, ...nodes.filter((node) => node !== start)],
		example.connections,
	);
}

describe('the example workflows', () => {
	let world: World;

	beforeAll(async () => {
		world = await startWorld();
		world.engine.addNodeType(EMAIL_SINK_TYPE, new EmailSink());
	});

	afterAll(async () => await world.close());

	it('are all covered here, and each names the PageUp credential', () => {
		const files = readdirSync(examplesFolder)
			.filter((file) => file.endsWith('.json'))
			.sort();
		expect(files).toEqual([
			'cv-from-email.json',
			'error-alert.json',
			'replace-document.json',
			'scheduled-download-links.json',
		]);
		for (const file of files.filter((name) => name !== 'error-alert.json')) {
			const pageUpNodes = readExample(file).nodes.filter(
				({ type }) => type === PAGEUP_DOCUMENT_TYPE,
			);
			expect(pageUpNodes.length).toBeGreaterThan(0);
			for (const node of pageUpNodes) expect(node.credentials?.pageUpApi?.name).toBe('PageUp API');
		}
	});

	it('files a CV arriving as an email attachment against the applicant in the subject', async () => {
		const email: SourceItem = {
			json: { subject: 'Applicant 4242 - Sam Lee' },
			files: {
				attachment_0: { content: 'Curriculum vitae of Sam Lee', fileName: 'sam-lee-cv.pdf' },
			},
		};
		const result = await runExample(world, 'cv-from-email.json', {
			'New application email': [email],
		});

		expect(result.error).toBeUndefined();
		const [filed] = result.output('File CV in PageUp');
		const document = world.sandbox.document(filed.json.documentId as number);
		expect(document).toMatchObject({
			title: 'Resume - Applicant 4242 - Sam Lee',
			fileName: 'sam-lee-cv.pdf',
			documentCategoryId: 7,
			links: { applicantId: 4242 },
			sha256: sha256('Curriculum vitae of Sam Lee'),
		});
	});

	it('emails one message with a download link for each listed document', async () => {
		const ids: number[] = [];
		for (const name of ['a.txt', 'b.txt']) {
			const upload = await world.runNode({
				items: [fileItem(name, name)],
				parameters: uploadParameters(),
			});
			ids.push(upload.items[0].json.documentId as number);
		}

		const result = await runExample(world, 'scheduled-download-links.json', {
			'Every weekday at 8:00': [{ json: {} }],
			'Document IDs': ids.map((documentId) => ({ json: { documentId } })),
		});

		expect(result.error).toBeUndefined();
		const emails = result.output('Email the links');
		expect(emails).toHaveLength(1);
		const links = result.output('Get download links');
		expect(links.map(({ json }) => json.documentId)).toEqual(ids);
		for (const { json } of links) {
			expect(emails[0].json.text).toContain(
				`Document ${String(json.documentId)}: ${String(json.url)}`,
			);
		}
		expect(await (await fetch(String(links[1].json.url))).text()).toBe('b.txt');
	});

	it('replaces an existing document with a new version, keeping its id', async () => {
		// The example names document 1001, the first id a fresh sandbox gives.
		const world = await startWorld();
		world.engine.addNodeType(EMAIL_SINK_TYPE, new EmailSink());
		const first = await world.runNode({
			items: [fileItem('pd.pdf', 'version 1')],
			parameters: uploadParameters(),
		});
		const documentId = first.items[0].json.documentId as number;
		const example = readExample('replace-document.json');
		const replace = example.nodes.find(({ type }) => type === PAGEUP_DOCUMENT_TYPE)!;
		expect(replace.parameters.additionalFields).toMatchObject({ replaceDocumentId: 1001 });
		expect(documentId).toBe(1001);

		const result = await runExample(world, 'replace-document.json', {
			"When clicking 'Execute workflow'": [{ json: {} }],
			'Read the new version': [fileItem('senior-engineer.pdf', 'version 2')],
		});

		expect(result.error).toBeUndefined();
		expect(world.sandbox.readDocument(documentId).toString()).toBe('version 2');
		expect(world.sandbox.document(documentId)).toMatchObject({
			title: 'Position description - Senior Engineer',
			documentCategoryId: 14,
			links: { jobId: 4321 },
		});
		await world.close();
	});

	it("alerts with the failed step, status, PageUp's message and the execution link", async () => {
		const failed = await world.runNode({
			items: [fileItem('cv.txt', 'x')],
			parameters: uploadParameters({ documentCategoryId: 0, documentCategoryName: 'Nope' }),
		});
		const error = failed.error!;

		const result = await runExample(world, 'error-alert.json', {
			'Error Trigger': [
				{
					json: {
						execution: {
							id: '77',
							url: 'http://localhost:5678/workflow/1/executions/77',
							lastNodeExecuted: 'File CV in PageUp',
							error: { message: error.message, description: error.description },
						},
						workflow: { id: '1', name: 'PageUp: file CVs from email attachments' },
					},
				},
			],
		});

		const [email] = result.output('Email the integration owner');
		expect(email.json.subject).toBe(
			'PageUp workflow "PageUp: file CVs from email attachments" failed in File CV in PageUp',
		);
		expect(email.json.text).toContain(
			'What failed: PageUp register step failed (HTTP 400): documentCategoryName',
		);
		expect(email.json.text).toContain('Register document (moveFromTemp)');
		expect(email.json.text).toContain('Execution: http://localhost:5678/workflow/1/executions/77');
	});
});
