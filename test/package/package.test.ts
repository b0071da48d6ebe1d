import { execFileSync } from 'node:child_process';
import {
	cpSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	symlinkSync,
	existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const run = (command: string, args: string[], cwd = root) =>
	execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('the published package', () => {
	const folder = mkdtempSync(join(tmpdir(), 'pageup-pack-'));
	const unpacked = join(folder, 'package');
	let packedFiles: string[];

	beforeAll(() => {
		run('npx', ['tsc', '-p', 'tsconfig.json']);
		run('npx', ['gulp', 'build:icons']);
		const [pack] = JSON.parse(
			run('npm', ['pack', '--json', '--pack-destination', folder]),
		) as Array<{
			filename: string;
			files: Array<{ path: string }>;
		}>;
		packedFiles = pack.files.map(({ path }) => path).sort();
		run('tar', ['-xzf', join(folder, pack.filename), '-C', folder]);
	}, 180_000);

	afterAll(() => rmSync(folder, { recursive: true, force: true }));

	it('holds only what n8n needs: the built node and credential, icons, codex and docs', () => {
		expect(packedFiles).toEqual(
			expect.arrayContaining([
				'LICENSE',
				'README.md',
				'package.json',
				'index.js',
				'dist/credentials/PageUpApi.credentials.js',
				'dist/credentials/pageUp.svg',
				'dist/credentials/pageUp.dark.svg',
				'dist/nodes/PageUpDocument/PageUpDocument.node.js',
				'dist/nodes/PageUpDocument/PageUpDocument.node.json',
				'dist/nodes/PageUpDocument/pageUp.svg',
				'dist/nodes/PageUpDocument/pageUp.dark.svg',
			]),
		);
		const allowed =
			/^(LICENSE|README\.md|CHANGELOG\.md|package\.json|index\.js|dist\/(nodes|credentials)\/.+\.(js|json|svg))$/;
		expect(packedFiles.filter((path) => !allowed.test(path))).toEqual([]);
	});

	it('declares no runtime dependencies and n8n-workflow as its only peer', () => {
		const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
		expect(manifest.dependencies ?? {}).toEqual({});
		expect(Object.keys(manifest.peerDependencies)).toEqual(['n8n-workflow']);
		expect(manifest.keywords).toContain('n8n-community-node-package');
		expect(manifest.n8n.n8nNodesApiVersion).toBe(1);
	});

	it('loads with only n8n-workflow beside it: every class constructs, every path exists', () => {
		const host = join(folder, 'host');
		mkdirSync(join(host, 'node_modules'), { recursive: true });
		symlinkSync(
			join(root, 'node_modules', 'n8n-workflow'),
			join(host, 'node_modules', 'n8n-workflow'),
		);
		cpSync(unpacked, join(host, 'node_modules', 'n8n-nodes-pageup'), { recursive: true });
		const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
		const paths: string[] = [...manifest.n8n.credentials, ...manifest.n8n.nodes];
		for (const path of paths) expect(existsSync(join(unpacked, path))).toBe(true);

		const loaded = run(
			'node',
			[
				'-e',
				`const names = [];
				for (const path of ${JSON.stringify(paths)}) {
					const module = require('n8n-nodes-pageup/' + path);
					for (const Class of Object.values(module)) {
						const instance = new Class();
						names.push(instance.name ?? instance.description.name);
					}
				}
				console.log(JSON.stringify(names));`,
			],
			host,
		);
		expect(JSON.parse(loaded)).toEqual(['pageUpApi', 'pageUpDocument']);
	});

	it("passes n8n's community-package scanner with no errors and no warnings", () => {
		const output = run('node', [join(__dirname, 'scan.mjs'), unpacked]);
		const { files, findings } = JSON.parse(output) as { files: number; findings: unknown[] };
		expect(files).toBeGreaterThan(10);
		expect(findings).toEqual([]);
	}, 120_000);

	it('ships no environment, filesystem or child-process access', () => {
		const shipped = packedFiles.filter((path) => path.endsWith('.js'));
		const forbidden = /process\.env|require\("(node:)?(fs|child_process|fs\/promises)"\)/;
		const offenders = shipped.filter((path) =>
			forbidden.test(readFileSync(join(unpacked, path), 'utf8')),
		);
		expect(offenders).toEqual([]);
	});
});
