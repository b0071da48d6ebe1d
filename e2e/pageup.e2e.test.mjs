// The packed package in a real n8n, on each n8n line, against the local sandbox. Every scenario
// is checked from what n8n reports and from the sandbox's own records.
// Run: npm run test:e2e (builds, installs n8n, prints the scenario table), or, once built and
// installed: node --test e2e/
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
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
import { recordScenario } from './lib/report.mjs';
import {
	PAGEUP_CREDENTIAL,
	PAGEUP_DOCUMENT,
	filesRoundTrip,
	sandboxCredential,
	uploadAndDownload,
	uploadByWebhookWithRole,
	uploadFiles,
} from './workflows.mjs';

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const BUILT_NODE = join(REPO, 'dist', 'nodes', 'PageUpDocument', 'PageUpDocument.node.js');
const BUILT_SANDBOX = join(REPO, 'dist', 'sandbox', 'index.js');
const EXAMPLES = join(REPO, 'examples');

const MB = 1024 * 1024;
const TEST_TIMEOUT = 900_000;

let sandbox;
let tarball;
let packDir;
let startSandbox;

before(async () => {
	if (!existsSync(BUILT_NODE) || !existsSync(BUILT_SANDBOX)) {
		throw new Error('The package is not built: run `npm run build` first');
	}
	packDir = mkdtempSync(join(tmpdir(), 'n8n-nodes-pageup-pack-'));
	tarball = await packPackage(REPO, { destination: packDir });
	({ startSandbox } = createRequire(import.meta.url)(BUILT_SANDBOX));
	sandbox = await startSandbox({});
});

after(async () => {
	await sandbox?.close();
	await stopAll();
	if (packDir) rmSync(packDir, { recursive: true, force: true });
});

function pageUpCredential(overrides = {}, from = sandbox) {
	return sandboxCredential(from.credentials, overrides);
}

/** A control route of the sandbox, over HTTP as any other process would call it. */
async function control(path, { method = 'GET', body, from = sandbox } = {}) {
	const answer = await request(`${from.apiUrl}/__sandbox${path}`, { method, body });
	assert.ok(answer.status < 300, `${method} /__sandbox${path}: ${answer.status} ${answer.text}`);
	return answer.json;
}

/** The sha256 and size the sandbox recorded for a document. */
async function storedDocument(documentId, from = sandbox) {
	return control(`/documents/${documentId}`, { from });
}

function sha256(buffer) {
	return createHash('sha256').update(buffer).digest('hex');
}

async function fileSha256(file) {
	const hash = createHash('sha256');
	const handle = await open(file);
	try {
		for await (const chunk of handle.createReadStream()) hash.update(chunk);
	} finally {
		await handle.close();
	}
	return hash.digest('hex');
}

/** Writes `size` random bytes to `file` a megabyte at a time; returns their sha256. */
async function writeRandomFile(file, size) {
	const hash = createHash('sha256');
	const handle = await open(file, 'w');
	try {
		for (let written = 0; written < size; written += MB) {
			const chunk = randomBytes(Math.min(MB, size - written));
			hash.update(chunk);
			await handle.write(chunk);
		}
	} finally {
		await handle.close();
	}
	return hash.digest('hex');
}

/**
 * Runs `use` with a fresh n8n that has the package installed and the sandbox credential
 * imported, and stops that n8n afterwards whatever happened.
 */
async function withPackage(options, use) {
	const { credential: credentialData = pageUpCredential(), ...instanceOptions } = options;
	const n8n = await createInstance(instanceOptions);
	try {
		await n8n.installPackage(tarball);
		const [credential] = await n8n.importCredentials([credentialData]);
		return await use(n8n, credential);
	} finally {
		await n8n.stop();
	}
}

/** The credential as n8n stores it now, decrypted (with the token n8n saved in it). */
async function storedCredential(n8n, id) {
	const file = join(n8n.filesDir, `export-${newId()}.json`);
	await n8n.cli(['export:credentials', `--id=${id}`, '--decrypted', `--output=${file}`]);
	const [credential] = JSON.parse(readFileSync(file, 'utf8'));
	return credential.data;
}

/**
 * A test that also lands in the closing table. `run` may return a note for the table (token
 * counts, workers).
 */
function scenario(name, version, run) {
	it(name, { timeout: TEST_TIMEOUT }, async () => {
		const started = Date.now();
		try {
			const note = await run();
			recordScenario({
				scenario: name,
				version,
				result: 'pass',
				durationMs: Date.now() - started,
				note: note ?? '',
			});
		} catch (error) {
			const durationMs = Date.now() - started;
			recordScenario({ scenario: name, version, result: 'FAIL', durationMs });
			throw error;
		}
	});
}

/**
 * Uploads files read from disk, downloads each into a binary field and writes it back to
 * disk: every copy must have the sha256 of its source, as the sandbox recorded it too.
 */
async function roundTripFiles(line, binaryDataMode, sizes) {
	return withPackage({ line, binaryDataMode }, async (n8n, credential) => {
		const inDir = join(n8n.filesDir, 'in');
		const outDir = join(n8n.filesDir, 'out');
		mkdirSync(inDir);
		mkdirSync(outDir);
		const sources = new Map();
		for (const size of sizes) {
			const fileName = `file-${size / MB}mb.bin`;
			sources.set(fileName, { size, sha256: await writeRandomFile(join(inDir, fileName), size) });
		}
		const [id] = await n8n.importWorkflows([
			filesRoundTrip({ credential, fileSelector: join(inDir, '*.bin'), outDir }),
		]);

		const result = await n8n.execute(id, {
			timeoutMs: 600_000,
			env: { N8N_RESTRICT_FILE_ACCESS_TO: n8n.filesDir },
		});

		assert.equal(result.ok, true, JSON.stringify(result.error));
		const uploaded = result.json('Upload');
		assert.equal(uploaded.length, sizes.length);
		const downloads = result.items('Download');
		const prefix = binaryDataMode === 'filesystem' ? 'filesystem-v2:' : 'database:';
		for (const item of downloads) {
			assert.ok(item.binary.data.id?.startsWith(prefix), JSON.stringify(item.binary.data));
		}
		for (const { documentId, fileName, fileSize } of uploaded) {
			const source = sources.get(fileName);
			assert.ok(source, `uploaded an unknown file ${fileName}`);
			assert.equal(fileSize, source.size);
			const stored = await storedDocument(documentId);
			assert.equal(stored.sha256, source.sha256, `sandbox copy of ${fileName}`);
			assert.equal(stored.size, source.size);
			const copy = join(outDir, `${documentId}.bin`);
			assert.equal(await fileSha256(copy), source.sha256, `downloaded copy of ${fileName}`);
		}
		const downloaded = downloads.map((item) => item.binary.data.fileName).sort();
		assert.deepEqual(downloaded, [...sources.keys()].sort());
	});
}

function readExamples() {
	return readdirSync(EXAMPLES)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => ({ file: name, workflow: JSON.parse(readFileSync(join(EXAMPLES, name))) }));
}

const requireLines = process.env.E2E_REQUIRE_LINES === '1';

for (const line of selectedLines()) {
	if (!isInstalled(line)) {
		const reason = `n8n line ${line} is not installed: run e2e/install-n8n.sh ${line}`;
		if (requireLines) {
			it(`runs on n8n line ${line}`, () => assert.fail(reason));
		} else {
			it(`runs on n8n line ${line}`, { skip: reason });
		}
		continue;
	}
	const { version, nodeVersion } = loadLine(line);

	describe(`n8n ${version} on Node ${nodeVersion}`, () => {
		scenario(
			'5 MB and 200 MB from disk: upload, download URL, download, sha256 equal (filesystem)',
			version,
			() => roundTripFiles(line, 'filesystem', [5 * MB, 200 * MB]),
		);

		scenario('5 MB from disk: upload, download into binary, sha256 equal (database)', version, () =>
			roundTripFiles(line, 'database', [5 * MB]),
		);

		scenario('download into a binary field, binary data in memory (default mode)', version, () =>
			withPackage({ line, binaryDataMode: 'default' }, async (n8n, credential) => {
				const text = `Curriculum vitae ${newId()}`;
				const [id] = await n8n.importWorkflows([
					uploadAndDownload({ credential, text, fileName: 'jane-doe-cv.txt' }),
				]);

				const result = await n8n.execute(id);

				assert.equal(result.ok, true, JSON.stringify(result.error));
				const [uploaded] = result.json('Upload');
				assert.equal(uploaded.fileName, 'jane-doe-cv.txt');
				assert.equal((await storedDocument(uploaded.documentId)).sha256, sha256(text));
				const [downloaded] = result.items('Download');
				assert.equal(downloaded.json.documentId, uploaded.documentId);
				assert.match(downloaded.json.url, /^http:\/\/127\.0\.0\.1:/);
				assert.equal(downloaded.binary.data.fileName, 'jane-doe-cv.txt');
				const bytes = Buffer.from(downloaded.binary.data.data, 'base64');
				assert.equal(sha256(bytes), sha256(text));
			}),
		);

		scenario('a wrong client secret stops at the token step, secret kept out', version, () =>
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

		scenario("PageUp's refusal surfaces with step, status and message", version, () =>
			withPackage({ line }, async (n8n, credential) => {
				const [id] = await n8n.importWorkflows([
					uploadAndDownload({
						credential,
						text: 'x',
						fileName: 'x.txt',
						upload: { documentCategoryId: 0, documentCategoryName: 'Nope' },
					}),
				]);

				const result = await n8n.execute(id);

				assert.equal(result.ok, false);
				assert.equal(result.lastNodeExecuted, 'Upload');
				const shown = `${result.error.message} ${result.error.description ?? ''}`;
				assert.match(shown, /PageUp register step failed \(HTTP 400\): documentCategoryName/);
			}),
		);

		scenario('a run that outlasts the token renews it and n8n stores it', version, async () => {
			const shortLived = await startSandbox({ tokenLifetimeSeconds: 3 });
			try {
				return await withPackage(
					{ line, binaryDataMode: 'filesystem', credential: pageUpCredential({}, shortLived) },
					async (n8n, credential) => {
						const inDir = join(n8n.filesDir, 'in');
						mkdirSync(inDir);
						const sources = new Map();
						for (let i = 1; i <= 10; i++) {
							const text = `document ${i} ${newId()}`;
							sources.set(`doc-${String(i).padStart(2, '0')}.txt`, sha256(text));
							n8n.writeFile(join('in', `doc-${String(i).padStart(2, '0')}.txt`), text);
						}
						const env = { N8N_RESTRICT_FILE_ACCESS_TO: n8n.filesDir };
						const [first, slow] = await n8n.importWorkflows([
							uploadFiles({ credential, fileSelector: join(inDir, 'doc-01.txt') }),
							uploadFiles({
								credential,
								fileSelector: join(inDir, '*.txt'),
								options: { concurrency: 1 },
							}),
						]);
						assert.equal((await n8n.execute(first, { env })).ok, true);
						const before = await storedCredential(n8n, credential.id);
						assert.ok(before.accessToken, 'the first run stored a token');
						await control('/reset', { method: 'POST', from: shortLived });
						await control('/options', {
							method: 'POST',
							body: { latencyMs: 400 },
							from: shortLived,
						});

						const started = Date.now();
						const result = await n8n.execute(slow, { env });
						const runMs = Date.now() - started;

						assert.equal(result.ok, true, JSON.stringify(result.error));
						const uploaded = result.json('Upload');
						assert.equal(uploaded.length, 10);
						for (const { documentId, fileName } of uploaded) {
							const stored = await storedDocument(documentId, shortLived);
							assert.equal(stored.sha256, sources.get(fileName), fileName);
						}
						const stats = await control('/stats', { from: shortLived });
						assert.ok(stats.tokenRequests >= 2, `token requests: ${stats.tokenRequests}`);
						const afterRun = await storedCredential(n8n, credential.id);
						assert.notEqual(afterRun.accessToken, before.accessToken);
						assert.ok(
							Date.parse(afterRun.accessTokenExpiresAt) > Date.parse(before.accessTokenExpiresAt),
							`${before.accessTokenExpiresAt} → ${afterRun.accessTokenExpiresAt}`,
						);
						const seconds = (runMs / 1000).toFixed(1);
						return `run ${seconds} s, ${stats.tokenRequests} token requests`;
					},
				);
			} finally {
				await shortLived.close();
			}
		});

		scenario(
			'editor: node offered, credential test passes / fails with invalid_client, examples import',
			version,
			() =>
				withPackage({ line }, async (n8n, credential) => {
					const secret = `wrong-${newId()}`;
					const [wrong] = await n8n.importCredentials([pageUpCredential({ clientSecret: secret })]);
					const examples = readExamples();
					const ids = await n8n.importWorkflows(examples.map(({ workflow }) => workflow));
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
					assert.match(bad.message, /invalid_client/);
					assert.doesNotMatch(bad.message, new RegExp(secret));
					for (const [i, id] of ids.entries()) {
						const stored = await client.expect('GET', `/rest/workflows/${id}`);
						assert.equal(stored.name, examples[i].workflow.name, examples[i].file);
						assert.equal(stored.nodes.length, examples[i].workflow.nodes.length);
					}
					return `${ids.length} examples imported`;
				}),
		);

		scenario('queue mode: 2 workers, 20 parallel webhook uploads, token shared', version, () =>
			withPackage(
				{ line, queue: true, env: { N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false' } },
				async (n8n, credential) => {
					const path = `pageup-${newId()}`;
					const [id] = await n8n.importWorkflows([uploadByWebhookWithRole({ credential, path })]);
					await n8n.activateWorkflow(id);
					await n8n.startMain();
					await Promise.all([n8n.startWorker(), n8n.startWorker()]);
					await n8n.waitForWebhook(path);

					const batch = async (label) => {
						await control('/reset', { method: 'POST' });
						const calls = Array.from({ length: 20 }, (_, i) => {
							const body = { text: `${label} ${i} ${newId()}`, fileName: `${label}-${i}.txt` };
							return request(n8n.webhookUrl(path), {
								method: 'POST',
								body,
								timeoutMs: 240_000,
							}).then((answer) => ({ body, answer }));
						});
						const answers = await Promise.all(calls);
						for (const { body, answer } of answers) {
							assert.equal(answer.status, 200, answer.text);
							assert.equal(answer.json.fileName, body.fileName);
							const stored = await storedDocument(answer.json.documentId);
							assert.equal(stored.sha256, sha256(body.text), body.fileName);
						}
						const roles = {};
						for (const { answer } of answers) {
							roles[answer.json.role] = (roles[answer.json.role] ?? 0) + 1;
						}
						const { tokenRequests } = await control('/stats');
						return { roles, tokenRequests };
					};

					const cold = await batch('cold');
					const warm = await batch('warm');

					for (const roles of [cold.roles, warm.roles]) {
						assert.deepEqual(
							Object.keys(roles).filter((role) => !role.startsWith('worker-')),
							[],
							JSON.stringify(roles),
						);
					}
					const workersUsed = new Set([...Object.keys(cold.roles), ...Object.keys(warm.roles)]);
					assert.equal(workersUsed.size, 2, `executions ran on ${[...workersUsed]}`);
					assert.ok(cold.tokenRequests >= 1 && cold.tokenRequests <= 10, `${cold.tokenRequests}`);
					assert.equal(warm.tokenRequests, 0, 'the stored token is reused by both workers');
					const describe = ({ roles, tokenRequests }) =>
						`${tokenRequests} token req, ${Object.entries(roles)
							.sort()
							.map(([role, count]) => `${role}: ${count}`)
							.join(', ')}`;
					return `cold: ${describe(cold)}; warm: ${describe(warm)}`;
				},
			),
		);
	});
}
