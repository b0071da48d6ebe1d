// A real n8n editor with the packed package, a credential for a local sandbox, the example
// workflows and a showcase workflow: what `npm run n8n` and the screenshot test open.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createInstance, OWNER } from './n8n.mjs';
import { packPackage } from './package.mjs';
import { atExit } from './processes.mjs';
import { PAGEUP_CREDENTIAL, sandboxCredential } from '../workflows.mjs';

/** The example workflows of `repo`/examples, wired to `credential`. */
export function examplesFor(repo, credential) {
	const dir = join(repo, 'examples');
	return readdirSync(dir)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => {
			const workflow = JSON.parse(readFileSync(join(dir, name), 'utf8'));
			for (const each of workflow.nodes) {
				if (each.credentials?.[PAGEUP_CREDENTIAL]) {
					each.credentials[PAGEUP_CREDENTIAL] = { id: credential.id, name: credential.name };
				}
			}
			return workflow;
		});
}

/**
 * Starts the sandbox and an n8n editor (owner set up) with the package, a "PageUp sandbox"
 * credential, the examples and `extraWorkflows(credential)` imported.
 * @returns {Promise<{ baseUrl: string, owner: object, n8n: object, sandbox: object,
 *   credential: object, workflowIds: string[], extraIds: string[], stop: () => Promise<void> }>}
 */
export async function startEditor({
	repo,
	line = '1',
	port,
	extraWorkflows = () => [],
	sandboxOptions = {},
}) {
	const { startSandbox } = createRequire(import.meta.url)(
		join(repo, 'dist', 'sandbox', 'index.js'),
	);
	const packDir = mkdtempSync(join(tmpdir(), 'n8n-nodes-pageup-pack-'));
	const removePack = () => rmSync(packDir, { recursive: true, force: true });
	const cancelPackRemoval = atExit(removePack);
	const sandbox = await startSandbox(sandboxOptions);
	const cancelSandboxRemoval = atExit(() =>
		rmSync(sandbox.dataDir, { recursive: true, force: true }),
	);
	let n8n;
	const stop = async () => {
		await n8n?.stop();
		await sandbox.close();
		cancelSandboxRemoval();
		removePack();
		cancelPackRemoval();
	};
	try {
		const tarball = await packPackage(repo, { destination: packDir });
		n8n = await createInstance({ line });
		await n8n.installPackage(tarball);
		const [credential] = await n8n.importCredentials([sandboxCredential(sandbox.credentials)]);
		const extra = extraWorkflows(credential);
		const extraIds = await n8n.importWorkflows(extra);
		const workflowIds = await n8n.importWorkflows(examplesFor(repo, credential));
		const { baseUrl } = await n8n.startMain({ port });
		await n8n.setupOwner();
		return { baseUrl, owner: OWNER, n8n, sandbox, credential, workflowIds, extraIds, extra, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}
