// Packs a package folder the way it is published, so the suite installs what users would get.
import { join } from 'node:path';

import { outputTail, runCommand } from './processes.mjs';

/**
 * Runs `npm pack` in `dir` and returns the path of the tarball written to `destination`.
 * Scripts are not run: build the package (npm run build) first.
 */
export async function packPackage(dir, { destination }) {
	const env = Object.fromEntries(
		Object.entries(process.env).filter(([name]) => !name.startsWith('npm_')),
	);
	const result = await runCommand({
		name: 'npm pack',
		command: 'npm',
		args: ['pack', '--json', '--ignore-scripts', `--pack-destination=${destination}`],
		cwd: dir,
		env,
		timeoutMs: 120_000,
	});
	if (result.code !== 0) {
		throw new Error(`npm pack in ${dir} failed` + outputTail(result.stdout + result.stderr));
	}
	const [packed] = JSON.parse(result.stdout);
	return join(destination, packed.filename);
}
