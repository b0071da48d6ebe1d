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
import { PAGEUP_CREDENTIAL, uploadAndDownload, uploadByWebhook } from './workflows.mjs';

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

/** An instance with the package installed and the sandbox credential imported. */
async function instanceWithPackage(options) {
	const n8n = await createInstance(options);
	try {
		await n8n.installPackage(tarball);
		const [credential] = await n8n.importCredentials([pageUpCredential()]);
		return { n8n, credential };
	} catch (error) {
		await n8n.stop();
		throw error;
	}
}

for (const lineName of selectedLines()) {
	const installed = isInstalled(lineName);
	const title = installed
		? `n8n ${loadLine(lineName).version} on Node ${loadLine(lineName).nodeVersion}`
		: `n8n line ${lineName}`;
	const skip = installed ? false : `not installed: run e2e/install-n8n.sh ${lineName}`;

	describe(title, { skip, timeout: TEST_TIMEOUT * 4 }, () => {
		for (const binaryDataMode of ['filesystem', 'database']) {
			it(
				`uploads a document and downloads it again, headless, binary data in ${binaryDataMode}`,
				{
					timeout: TEST_TIMEOUT,
				},
				async () => {
					const { n8n, credential } = await instanceWithPackage({ line: lineName, binaryDataMode });
					try {
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
					} finally {
						await n8n.stop();
					}
				},
			);
		}

		it(
			'stops with an error that names the token step when the client secret is wrong',
			{
				timeout: TEST_TIMEOUT,
			},
			async () => {
				const n8n = await createInstance({ line: lineName });
				try {
					await n8n.installPackage(tarball);
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
				} finally {
					await n8n.stop();
				}
			},
		);

		it(
			'uploads from a production webhook in queue mode, run by a worker',
			{
				timeout: TEST_TIMEOUT,
			},
			async () => {
				const { n8n, credential } = await instanceWithPackage({ line: lineName, queue: true });
				try {
					const path = `pageup-${newId()}`;
					const [id] = await n8n.importWorkflows([uploadByWebhook({ credential, path })]);
					await n8n.activateWorkflow(id);
					await n8n.startMain();
					await Promise.all([n8n.startWorker(), n8n.startWorker()]);
					await n8n.waitForWebhook(path);

					const answers = [];
					for (const fileName of ['first.txt', 'second.txt']) {
						const answer = await request(n8n.webhookUrl(path), {
							method: 'POST',
							body: { text: `posted ${fileName}`, fileName },
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
				} finally {
					await n8n.stop();
				}
			},
		);
	});
}
