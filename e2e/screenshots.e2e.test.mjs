// Re-takes the README's screenshots of the node's parameter panels in a real n8n editor, with
// Debian's headless Chromium, and checks that the panels show the node's fields.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startEditor } from './lib/editor.mjs';
import { isInstalled, loadLine, selectedLines, stopAll } from './lib/index.mjs';
import { recordScenario } from './lib/report.mjs';
import { CHROMIUM, screenshotNodePanel, withEditorPage } from './lib/screenshots.mjs';
import { editorShowcase } from './workflows.mjs';

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const DOCS = join(REPO, 'docs');

const PANELS = [
	{
		node: 'Upload',
		file: 'upload-parameters.png',
		fields: [
			'Input Binary Field',
			'File Name',
			'Title',
			'System Category',
			'Tenant Category Name',
			'Additional Fields',
		],
	},
	{
		node: 'Get Download URL',
		file: 'get-download-url-parameters.png',
		fields: ['Document ID', 'Expires In Seconds', 'Download File'],
	},
];

after(() => stopAll());

const [line] = selectedLines();
const name = 'editor screenshots of the Upload and Get Download URL panels';

it(name, { timeout: 600_000 }, async () => {
	assert.ok(isInstalled(line), `n8n line ${line} is not installed: run e2e/install-n8n.sh ${line}`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
	const { version } = loadLine(line);
	const started = Date.now();
	let editor;
	try {
		editor = await startEditor({
			repo: REPO,
			line,
			extraWorkflows: (credential) => [editorShowcase({ credential })],
		});
		const [showcase] = editor.extra;
		mkdirSync(DOCS, { recursive: true });
		await withEditorPage(editor, async (page) => {
			for (const panel of PANELS) {
				const { id: nodeId } = showcase.nodes.find((each) => each.name === panel.node);
				const text = await screenshotNodePanel(page, {
					baseUrl: editor.baseUrl,
					workflowId: showcase.id,
					nodeId,
					file: join(DOCS, panel.file),
				});
				for (const field of panel.fields) {
					assert.ok(text.includes(field), `the ${panel.node} panel shows ${field}`);
				}
			}
		});
		recordScenario({
			scenario: name,
			version,
			result: 'pass',
			durationMs: Date.now() - started,
			note: PANELS.map((panel) => `docs/${panel.file}`).join(', '),
		});
	} catch (error) {
		recordScenario({ scenario: name, version, result: 'FAIL', durationMs: Date.now() - started });
		throw error;
	} finally {
		await editor?.stop();
	}
});
