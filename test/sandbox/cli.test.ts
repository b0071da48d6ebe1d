import { CliUsageError, parseCliArgs, runCli } from '../../sandbox/cli';
import type { CliOutput } from '../../sandbox/cli';
import type { Sandbox } from '../../sandbox';
import { requestToken } from './helpers';

function capture(): CliOutput & { lines: string[] } {
	const lines: string[] = [];
	return { lines, out: (line) => lines.push(line), err: (line) => lines.push(line) };
}

describe('the sandbox command line', () => {
	let sandbox: Sandbox | undefined;

	afterEach(async () => {
		await sandbox?.close();
		sandbox = undefined;
	});

	it('uses ports 4010 and 4011 unless told otherwise', () => {
		const options = parseCliArgs([]);

		expect(options.sandbox).toMatchObject({ apiPort: 4010, s3Port: 4011 });
		expect(options).toMatchObject({ json: false, quiet: false, help: false });
	});

	it('reads flags, and environment variables where no flag is given', () => {
		const options = parseCliArgs(
			['--port', '5000', '--token-lifetime', '30', '--latency', '250', '--client-secret', 'x1'],
			{ PAGEUP_SANDBOX_PORT: '6000', PAGEUP_SANDBOX_S3_PORT: '6001' },
		);

		expect(options.sandbox).toMatchObject({
			apiPort: 5000,
			s3Port: 6001,
			tokenLifetimeSeconds: 30,
			latencyMs: 250,
			clientSecret: 'x1',
		});
	});

	it('refuses an unknown flag or a value that is not a number', () => {
		expect(() => parseCliArgs(['--prot', '1'])).toThrow(CliUsageError);
		expect(() => parseCliArgs(['--latency', 'slow'])).toThrow(/--latency/);
	});

	it('prints one JSON line of credential values with --json, and they work', async () => {
		const output = capture();

		sandbox = await runCli(['--port', '0', '--s3-port', '0', '--json'], {}, output);

		expect(output.lines).toHaveLength(1);
		const printed = JSON.parse(output.lines[0]) as Record<string, string>;
		expect(printed).toEqual({
			...sandbox?.credentials,
			apiUrl: sandbox?.apiUrl,
			s3Url: sandbox?.s3Url,
		});
		expect(printed.scopes).toBe('Public.Document.Read Public.Document.Write');
		expect((await requestToken(sandbox as Sandbox)).status).toBe(200);
		expect(output.lines).toHaveLength(1);
	});

	it('prints what to enter in n8n and the control routes, then a line per request', async () => {
		const output = capture();

		sandbox = await runCli(['--port', '0', '--s3-port', '0', '--client-secret', 'shh'], {}, output);
		await requestToken(sandbox as Sandbox);
		await new Promise((resolve) => setImmediate(resolve));

		const [banner, requestLine] = output.lines;
		const { credentials } = sandbox as Sandbox;
		for (const value of [
			credentials.tokenUrl,
			credentials.apiRootUrl,
			credentials.tenantId,
			credentials.clientId,
			'shh',
			credentials.scopes,
			'/__sandbox/stats',
			'/__sandbox/faults',
			'Ctrl-C',
		]) {
			expect(banner).toContain(value);
		}
		expect(requestLine).toMatch(/^token +POST \/connect\/token -> 200 in \d+ ms$/);
	});

	it('prints usage for --help and starts nothing', async () => {
		const output = capture();

		const started = await runCli(['--help'], {}, output);

		expect(started).toBeUndefined();
		expect(output.lines[0]).toContain('--s3-port');
	});
});
