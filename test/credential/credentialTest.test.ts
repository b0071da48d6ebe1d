import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';

import { Engine } from '../../runner/engine';
import { startSandbox, type Sandbox } from '../../sandbox';

/** A port on 127.0.0.1 with nothing listening on it. */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

describe('testing the credential in the editor', () => {
	let sandbox: Sandbox;
	let engine: Engine;

	beforeAll(async () => {
		sandbox = await startSandbox();
		engine = await Engine.start();
	});

	afterAll(async () => {
		engine.close();
		await sandbox.close();
	});

	const credential = (changes: Record<string, string> = {}) =>
		engine.addPageUpCredential({
			environment: 'production',
			dataCentre: 'dc2',
			...sandbox.credentials,
			...changes,
		});

	it('succeeds with the right client, secret, scopes and tenant', async () => {
		sandbox.resetStats();
		const result = await engine.testCredential(credential());
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(sandbox.stats().tokenRequests).toBeGreaterThanOrEqual(1);
		expect(sandbox.stats().requestsByKind.prepare).toBe(1);
	});

	it('names invalid_client for a wrong secret, without showing the secret', async () => {
		const secret = 'wrong-secret-value-123';
		const result = await engine.testCredential(credential({ clientSecret: secret }));
		expect(result.status).toBe('Error');
		expect(result.message).toContain('invalid_client');
		expect(result.message).toContain('Client Secret');
		expect(result.message).not.toContain(secret);
	});

	it('names invalid_scope for a scope the client does not have', async () => {
		const result = await engine.testCredential(
			credential({ scopes: 'Public.Document.Read Public.Candidate.Write' }),
		);
		expect(result.status).toBe('Error');
		expect(result.message).toContain('invalid_scope');
	});

	it('says the token endpoint is unreachable when nothing answers there', async () => {
		const port = await closedPort();
		const result = await engine.testCredential(
			credential({ tokenUrl: `http://127.0.0.1:${port}/connect/token` }),
		);
		expect(result.status).toBe('Error');
		expect(result.message).toContain(
			`Could not reach PageUp's token endpoint at 127.0.0.1:${port}`,
		);
	});

	it('fails with "not found" when the API root does not know the tenant', async () => {
		const result = await engine.testCredential(
			credential({ apiRootUrl: `${sandbox.apiUrl}/v3/999/recruitment/document` }),
		);
		// n8n 1.x drops the HTTP answer from the error before the credential's rules can read it,
		// so the editor shows its own 404 text rather than the credential's hint.
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/could not be found|Check the tenant ID/);
	});
});
