// Runs n8n's community-package scanner (the static analysis n8n applies before it verifies a
// package) on an unpacked tarball, and prints its findings as one JSON line.
import { ESLint } from 'eslint';
import glob from 'fast-glob';

import { buildScanConfig } from '@n8n/scan-community-package/scanner/scanner.mjs';

const packageDir = process.argv[2];
const eslint = new ESLint({
	cwd: packageDir,
	allowInlineConfig: false,
	overrideConfigFile: true,
	overrideConfig: await buildScanConfig(),
});
const files = glob.sync(['**/*.js', '**/*.ts', '**/*.json'], {
	cwd: packageDir,
	absolute: true,
	ignore: ['node_modules/**', '**/package-lock.json'],
});
const results = await eslint.lintFiles(files);
const findings = results.flatMap(({ filePath, messages }) =>
	messages.map(({ ruleId, severity, message }) => ({
		file: filePath.slice(packageDir.length + 1),
		rule: ruleId,
		severity: severity === 2 ? 'error' : 'warning',
		message,
	})),
);
console.log(JSON.stringify({ files: files.length, findings }));
