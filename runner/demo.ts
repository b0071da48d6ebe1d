// `npm run demo`: files a sample document in the local PageUp sandbox through n8n's execution
// engine, fetches a download link for it, downloads it, and checks that it came back intact.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startSandbox } from '../sandbox';
import { Engine, PAGEUP_DOCUMENT_TYPE } from './engine';
import { FILE_SOURCE_TYPE, sourceItems } from './fileSource';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function sampleResume(): Buffer {
	const text = 'Jane Doe - Senior Engineer\nTen years of building recruitment systems.\n';
	// Random padding makes it a few megabytes, so the transfer is a real stream.
	return Buffer.concat([Buffer.from(text), randomBytes(3 * 1024 * 1024)]);
}

async function main(): Promise<number> {
	const folder = mkdtempSync(join(tmpdir(), 'pageup-demo-'));
	const sandbox = await startSandbox();
	const engine = await Engine.start({ binaryDataMode: 'filesystem' });
	try {
		const sample = sampleResume();
		const samplePath = join(folder, 'jane-doe-resume.pdf');
		writeFileSync(samplePath, sample);
		console.log(`PageUp sandbox on ${sandbox.apiUrl}, S3 store on ${sandbox.s3Url}`);
		console.log(
			`Sample file: jane-doe-resume.pdf, ${sample.length} bytes, sha256 ${sha256(sample)}`,
		);

		const credential = engine.addPageUpCredential({
			environment: 'production',
			dataCentre: 'dc2',
			...sandbox.credentials,
		});
		const started = Date.now();
		const result = await engine.runChain([
			{
				type: FILE_SOURCE_TYPE,
				name: 'Read sample file',
				parameters: sourceItems([
					{ files: { data: { path: samplePath, fileName: 'jane-doe-resume.pdf' } } },
				]),
			},
			{
				type: PAGEUP_DOCUMENT_TYPE,
				name: 'Upload to PageUp',
				parameters: {
					resource: 'document',
					operation: 'upload',
					title: 'Resume - Jane Doe',
					documentCategoryId: 7,
					additionalFields: { applicantId: 1234 },
				},
				credentials: { pageUpApi: credential },
			},
			{
				type: PAGEUP_DOCUMENT_TYPE,
				name: 'Get download link',
				parameters: {
					resource: 'document',
					operation: 'getDownloadUrl',
					documentId: '={{ $json.documentId }}',
					expiresInSeconds: 60,
					download: true,
				},
				credentials: { pageUpApi: credential },
			},
		]);

		if (result.error) {
			console.error(`The workflow failed: ${result.error.message}`);
			if (result.error.description) console.error(`  ${result.error.description}`);
			return 1;
		}
		const [uploaded] = result.output('Upload to PageUp');
		const [linked] = result.output('Get download link');
		const downloaded = await engine.readBinary(linked.binary!.data);
		const stats = sandbox.stats();

		console.log(`\nWorkflow ran in ${Date.now() - started} ms through n8n's execution engine:`);
		console.log(
			`  1. Upload to PageUp: document ${String(uploaded.json.documentId)}, ` +
				`"${String(uploaded.json.title)}", ${String(uploaded.json.fileSize)} bytes, category 7 (Resume)`,
		);
		console.log(
			`  2. Get download link: expires ${String(linked.json.expiresAt)} ` +
				`(${String(linked.json.expiresInSeconds)} s)`,
		);
		console.log(`  3. Downloaded ${downloaded.length} bytes, sha256 ${sha256(downloaded)}`);
		console.log(
			`\nSandbox saw ${stats.tokenRequests} token request(s), ` +
				`${stats.requestsByKind.prepare} prepare, ${stats.requestsByKind.put} PUT, ` +
				`${stats.requestsByKind.move} moveFromTemp, ${stats.requestsByKind.link} download link, ` +
				`${stats.requestsByKind.get} download.`,
		);

		if (!downloaded.equals(sample)) {
			console.error('\nFAILED: the downloaded document differs from the sample.');
			return 1;
		}
		console.log('\nOK: the document came back intact.');
		return 0;
	} finally {
		engine.close();
		await sandbox.close();
		rmSync(folder, { recursive: true, force: true });
	}
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
