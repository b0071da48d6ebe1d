// `npm run n8n`: a real n8n editor on http://127.0.0.1:5678 with this package installed, a
// credential for the local PageUp sandbox and the example workflows, until Ctrl-C.
// Options: --line 1|2 (n8n 1.123 on Node 20, the default, or 2.x on Node 24), --port N.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { startEditor } from './lib/editor.mjs';
import { isInstalled, loadLine } from './lib/lines.mjs';
import { editorShowcase } from './workflows.mjs';

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));

const { values } = parseArgs({
	options: { line: { type: 'string', default: '1' }, port: { type: 'string', default: '5678' } },
});

if (!isInstalled(values.line)) {
	const install = spawnSync('bash', [join(REPO, 'e2e', 'install-n8n.sh'), values.line], {
		stdio: 'inherit',
	});
	if (install.status !== 0) process.exit(install.status ?? 1);
}

const { version, nodeVersion } = loadLine(values.line);
console.log(`Starting the PageUp sandbox and n8n ${version} on Node ${nodeVersion}...`);
const editor = await startEditor({
	repo: REPO,
	line: values.line,
	port: Number(values.port),
	extraWorkflows: (credential) => [editorShowcase({ credential })],
});

const [showcase] = editor.extraIds;
console.log(`
n8n ${version} is ready: ${editor.baseUrl}/
  login     ${editor.owner.email}
  password  ${editor.owner.password}
  workflow  ${editor.baseUrl}/workflow/${showcase} (Upload and Get Download URL)
  examples  ${editor.workflowIds.length} from examples/, credential "${editor.credential.name}"
  sandbox   ${editor.sandbox.apiUrl} (control routes under /__sandbox)
  logs      ${editor.n8n.logsDir}
Press Ctrl-C to stop n8n and the sandbox.`);

let stopping = false;
async function shutDown() {
	// A second Ctrl-C does not wait; the harness's exit hook still kills what is left.
	if (stopping) process.exit(130);
	stopping = true;
	console.log('\nStopping n8n and the sandbox...');
	await editor.stop();
	process.exit(0);
}
// Replaces the harness's own handlers, which would skip closing the sandbox.
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.removeAllListeners(signal);
	process.on(signal, shutDown);
}
