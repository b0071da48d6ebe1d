// Workflows the end-to-end suite imports into n8n, built from n8n's own nodes and the PageUp
// Document node as a user would wire them in the editor.
import { newId } from './lib/index.mjs';

export const PAGEUP_DOCUMENT = 'n8n-nodes-pageup.pageUpDocument';

export const PAGEUP_CREDENTIAL = 'pageUpApi';

/** A credential that reaches a sandbox, as `n8n import:credentials` takes it. */
export function sandboxCredential(credentials, overrides = {}) {
	const { tenantId, clientId, clientSecret, scopes, tokenUrl, apiRootUrl } = credentials;
	return {
		name: 'PageUp sandbox',
		type: PAGEUP_CREDENTIAL,
		data: {
			environment: 'production',
			dataCentre: 'dc2',
			tenantId,
			clientId,
			clientSecret,
			scopes,
			tokenUrl,
			apiRootUrl,
			...overrides,
		},
	};
}

function node(name, type, typeVersion, parameters, extra = {}) {
	return { id: newId(), name, type, typeVersion, position: [0, 0], parameters, ...extra };
}

function chain(name, nodes) {
	const connections = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	nodes.forEach((each, i) => (each.position = [i * 220, 0]));
	return { id: newId(), name, nodes, connections, settings: {} };
}

function setText(name, value) {
	return node('Text', 'n8n-nodes-base.set', 3.4, {
		mode: 'manual',
		assignments: { assignments: [{ id: newId(), name, value, type: 'string' }] },
		options: {},
	});
}

// n8n's Convert to File turns the text into the binary property the PageUp node uploads.
function toFile(fileName) {
	return node('To File', 'n8n-nodes-base.convertToFile', 1.1, {
		operation: 'toText',
		sourceProperty: 'text',
		binaryPropertyName: 'data',
		options: { fileName },
	});
}

function pageUp(name, credential, parameters) {
	return node(name, PAGEUP_DOCUMENT, 1, parameters, {
		credentials: { [PAGEUP_CREDENTIAL]: { id: credential.id, name: credential.name } },
	});
}

export function uploadParameters(extra = {}) {
	return {
		resource: 'document',
		operation: 'upload',
		binaryPropertyName: 'data',
		documentCategoryId: 7,
		...extra,
	};
}

/** Get Download URL for the incoming item's document, with the file downloaded into `data`. */
export function downloadParameters(extra = {}) {
	return {
		resource: 'document',
		operation: 'getDownloadUrl',
		documentId: '={{ $json.documentId }}',
		expiresInSeconds: 60,
		download: true,
		downloadPropertyName: 'data',
		...extra,
	};
}

/** Manual trigger → text → file → Upload → Get Download URL (with the file downloaded). */
export function uploadAndDownload({ credential, text, fileName, upload = {} }) {
	return chain('Upload and download a document', [
		node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
		setText('text', text),
		toFile(fileName),
		pageUp('Upload', credential, uploadParameters(upload)),
		pageUp('Download', credential, downloadParameters()),
	]);
}

/**
 * Production webhook (POST {text, fileName}) → text → file → Upload, answering with the
 * Upload node's item.
 */
export function uploadByWebhook({ credential, path }) {
	return chain('Upload a document posted to a webhook', [
		node(
			'Webhook',
			'n8n-nodes-base.webhook',
			2,
			{ httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
			{ webhookId: newId() },
		),
		setText('text', '={{ $json.body.text }}'),
		node('To File', 'n8n-nodes-base.convertToFile', 1.1, {
			operation: 'toText',
			sourceProperty: 'text',
			binaryPropertyName: 'data',
			options: { fileName: '={{ $("Webhook").item.json.body.fileName }}' },
		}),
		pageUp('Upload', credential, uploadParameters()),
	]);
}

function readFiles(fileSelector) {
	return node('Read Files', 'n8n-nodes-base.readWriteFile', 1, { fileSelector, options: {} });
}

// Writes each item's binary to <outDir>/<documentId>.bin, so the test can checksum it on disk.
function writeFile(outDir) {
	return node('Write File', 'n8n-nodes-base.readWriteFile', 1, {
		operation: 'write',
		fileName: `=${outDir}/{{ $json.documentId }}.bin`,
		dataPropertyName: 'data',
		options: {},
	});
}

function download(credential) {
	return pageUp('Download', credential, downloadParameters({ expiresInSeconds: 300 }));
}

/**
 * Files from disk (a glob) → Upload → Get Download URL with the download on → each download
 * written back to disk as <outDir>/<documentId>.bin.
 */
export function filesRoundTrip({ credential, fileSelector, outDir, concurrency = 2 }) {
	return chain('Upload files from disk and download them back', [
		node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
		readFiles(fileSelector),
		pageUp('Upload', credential, uploadParameters({ options: { concurrency } })),
		download(credential),
		writeFile(outDir),
	]);
}

/** Files from disk (a glob) → Upload, one item at a time. */
export function uploadFiles({ credential, fileSelector, options = {} }) {
	return chain('Upload files from disk', [
		node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
		readFiles(fileSelector),
		pageUp('Upload', credential, uploadParameters({ options })),
	]);
}

/**
 * Production webhook → text → file → Upload → the Upload's item plus the n8n process that ran
 * it (E2E_PROCESS_ROLE, read with $env, which the instance must allow).
 */
export function uploadByWebhookWithRole({ credential, path }) {
	const workflow = uploadByWebhook({ credential, path });
	const role = node('Role', 'n8n-nodes-base.set', 3.4, {
		mode: 'manual',
		includeOtherFields: true,
		assignments: {
			assignments: [
				{ id: newId(), name: 'role', value: '={{ $env.E2E_PROCESS_ROLE }}', type: 'string' },
			],
		},
		options: {},
	});
	role.position = [workflow.nodes.length * 220, 0];
	workflow.connections.Upload = { main: [[{ node: 'Role', type: 'main', index: 0 }]] };
	workflow.nodes.push(role);
	return workflow;
}

/** The two parameter panels the README shows: an Upload node and a Get Download URL node. */
export function editorShowcase({ credential }) {
	const workflow = chain('PageUp Document: upload and download link', [
		node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
		pageUp(
			'Upload',
			credential,
			uploadParameters({ fileName: 'jane-doe-cv.pdf', title: 'Resume - Jane Doe' }),
		),
		pageUp('Get Download URL', credential, downloadParameters()),
	]);
	workflow.nodes.forEach((each) => (each.position = [each.position[0], 200]));
	return workflow;
}
