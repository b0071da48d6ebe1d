// The packed package in a real n8n, on each installed n8n line, against the local sandbox.
// Run: npm run build && e2e/install-n8n.sh && node --test e2e/
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
	createInstance,
	isInstalled,
	loadLine,
	newId,
	packPackage,
	request,
	selectedLines,
	stopAll,
} from './lib/index.mjs';
import {
	PAGEUP_CREDENTIAL,
	PAGEUP_DOCUMENT,
	uploadAndDownload,
	uploadByWebhook,
} from './workflows.mjs';

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const BUILT_NODE = join(REPO, 'dist', 'nodes', 'PageUpDocument', 'PageUpDocument.node.js');
const BUILT_SANDBOX = join(REPO, 'dist', 'sandbox', 'index.js');

const TEST_TIMEOUT = 300_000;

let sandbox;
let tarball;
let packDir;

before(async () => {
	if (!existsSync(BUILT_NODE) || !existsSync(BUILT_SANDBOX)) {
		throw new Error('The package is not built: run `npm run build` first');
	}
	packDir = mkdtempSync(join(tmpdir(), 'n8n-nodes-pageup-pack-'));
	tarball = await packPackage(REPO, { destination: packDir });
	const { startSandbox } = createRequire(import.meta.url)(BUILT_SANDBOX);
	sandbox = await startSandbox({});
});

after(async () => {
	await sandbox?.close();
	await stopAll();
	if (packDir) rmSync(packDir, { recursive: true, force: true });
});

function pageUpCredential(overrides = {}) {
	const { tenantId, clientId, clientSecret, scopes, tokenUrl, apiRootUrl } = sandbox.credentials;
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

/**
 * Runs `use` with a fresh n8n that has the package installed and the sandbox credential
 * imported, and stops that n8n afterwards whatever happened.
 */
async function withPackage(options, use) {
	const n8n = await createInstance(options);
	try {
		await n8n.installPackage(tarball);
		const [credential] = await n8n.importCredentials([pageUpCredential()]);
		await use(n8n, credential);
	} finally {
		await n8n.stop();
	}
}

const slow = { timeout: TEST_TIMEOUT };

for (const line of selectedLines()) {
	if (!isInstalled(line)) {
		it(`runs on n8n line ${line}`, { skip: `not installed: run e2e/install-n8n.sh ${line}` });
		continue;
	}
	const { version, nodeVersion } = loadLine(line);

	describe(`n8n ${version} on Node ${nodeVersion}`, () => {
		for (const binaryDataMode of ['filesystem', 'database']) {
			const name = `uploads a document and downloads it again, binary data in ${binaryDataMode}`;
			it(name, slow, () =>
				withPackage({ line, binaryDataMode }, async (n8n, credential) => {
					const text = `Curriculum vitae ${newId()}`;
					const [id] = await n8n.importWorkflows([
						uploadAndDownload({ credential, text, fileName: 'jane-doe-cv.txt' }),
					]);

					const result = await n8n.execute(id);

					assert.equal(result.ok, true, JSON.stringify(result.error));
					const [uploaded] = result.json('Upload');
					assert.equal(uploaded.fileName, 'jane-doe-cv.txt');
					assert.equal(uploaded.fileSize, Buffer.byteLength(text));
					assert.equal(sandbox.readDocument(uploaded.documentId).toString(), text);
					const [downloaded] = result.items('Download');
					assert.equal(downloaded.json.documentId, uploaded.documentId);
					assert.match(downloaded.json.url, /^http:\/\/127\.0\.0\.1:/);
					const prefix = binaryDataMode === 'filesystem' ? 'filesystem-v2:' : 'database:';
					assert.ok(downloaded.binary.data.id.startsWith(prefix), downloaded.binary.data.id);
				}),
			);
		}

		it('stops at the token step with an error that keeps the secret out', slow, () =>
			withPackage({ line }, async (n8n) => {
				const secret = `wrong-${newId()}`;
				const [credential] = await n8n.importCredentials([
					pageUpCredential({ clientSecret: secret }),
				]);
				const [id] = await n8n.importWorkflows([
					uploadAndDownload({ credential, text: 'x', fileName: 'x.txt' }),
				]);

				const result = await n8n.execute(id);

				assert.equal(result.ok, false);
				assert.equal(result.lastNodeExecuted, 'Upload');
				const shown = `${result.error.message} ${result.error.description ?? ''}`;
				assert.match(shown, /token/i);
				assert.doesNotMatch(shown, new RegExp(secret));
			}),
		);

		it('offers the node in the editor, whose credential test tells good from bad', slow, () =>
			withPackage({ line }, async (n8n, credential) => {
				const [wrong] = await n8n.importCredentials([
					pageUpCredential({ clientSecret: `wrong-${newId()}` }),
				]);
				await n8n.startMain();
				await n8n.setupOwner();
				const client = await n8n.login();

				const types = await n8n.editorTypes(client);
				const good = await n8n.testCredential(client, credential);
				const bad = await n8n.testCredential(client, wrong);

				assert.ok(types.nodes.includes(PAGEUP_DOCUMENT), 'node type offered');
				assert.ok(types.credentials.includes(PAGEUP_CREDENTIAL), 'credential type offered');
				assert.equal(good.status, 'OK', good.message);
				assert.equal(bad.status, 'Error');
				assert.match(bad.message, /client/i);
			}),
		);

		it('uploads from a production webhook in queue mode, run by the workers', slow, () =>
			withPackage({ line, queue: true }, async (n8n, credential) => {
				const path = `pageup-${newId()}`;
				const [id] = await n8n.importWorkflows([uploadByWebhook({ credential, path })]);
				await n8n.activateWorkflow(id);
				await n8n.startMain();
				await Promise.all([n8n.startWorker(), n8n.startWorker()]);
				await n8n.waitForWebhook(path);

				const answers = [];
				for (const fileName of ['first.txt', 'second.txt']) {
					const body = { text: `posted ${fileName}`, fileName };
					const answer = await request(n8n.webhookUrl(path), {
						method: 'POST',
						body,
						timeoutMs: 120_000,
					});
					assert.equal(answer.status, 200, answer.text);
					answers.push(answer.json);
				}

				for (const answer of answers) {
					const stored = sandbox.readDocument(answer.documentId).toString();
					assert.equal(stored, `posted ${answer.fileName}`);
				}
				const workerLogs = n8n.workers.map((worker) => worker.handle.output).join('\n');
				assert.match(workerLogs, /Worker finished execution/);
			}),
		);
	});
}
