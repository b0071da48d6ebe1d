import { accessToken } from '../sandbox/helpers';
import { fileItem, startWorld, uploadParameters, type World } from '../support/pageup';

const fiftyFiles = Array.from({ length: 50 }, (_, index) =>
	fileItem(`cv-${index}.txt`, `applicant ${index}`),
);

describe('the access token', () => {
	let world: World;

	afterEach(async () => await world.close());

	it('is requested once for 50 items in one execution, and reused by the next execution', async () => {
		world = await startWorld();

		const first = await world.runNode({ items: fiftyFiles, parameters: uploadParameters() });
		expect(first.error).toBeUndefined();
		expect(first.items).toHaveLength(50);
		expect(world.sandbox.stats().tokenRequests).toBe(1);

		const second = await world.runNode({
			items: fiftyFiles.slice(0, 5),
			parameters: uploadParameters(),
		});
		expect(second.error).toBeUndefined();
		expect(world.sandbox.stats().tokenRequests).toBe(1);
		expect(world.sandbox.stats().rejectedApiCalls).toBe(0);
	});

	// In n8n every read of a stored credential is a database query and a decryption.
	it('comes from one read of the stored credential for 50 items, not one per request', async () => {
		world = await startWorld();
		const helper = world.engine.credentials;
		const getDecrypted = helper.getDecrypted.bind(helper);
		let reads = 0;
		helper.getDecrypted = async (...args) => {
			reads++;
			return await getDecrypted(...args);
		};

		const result = await world.runNode({ items: fiftyFiles, parameters: uploadParameters() });

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(50);
		expect(reads).toBeLessThanOrEqual(2);
		expect(world.sandbox.stats().tokenRequests).toBe(1);
	});

	it('is read again when due, and a token another worker stored meanwhile is used', async () => {
		// 30 items one at a time, each API call held 40 ms: about 2.5 s.
		world = await startWorld({ sandbox: { latencyMs: 40 } });
		await world.runNode({ items: fiftyFiles.slice(0, 1), parameters: uploadParameters() });
		const stored = world.engine.credentials.data(world.credential.id);
		const dueSoon = new Date(Date.now() + 800).toISOString();
		world.engine.credentials.update(world.credential.id, {
			...stored,
			accessTokenExpiresAt: dueSoon,
		});
		world.sandbox.resetStats();

		const running = world.runNode({
			items: fiftyFiles.slice(0, 30),
			parameters: uploadParameters({ options: { concurrency: 1 } }),
		});
		// Another worker renews the token while this execution holds the old one.
		await new Promise((resolve) => setTimeout(resolve, 300));
		const renewed = await accessToken(world.sandbox);
		const later = new Date(Date.now() + 300_000).toISOString();
		world.engine.credentials.update(world.credential.id, {
			...stored,
			accessToken: renewed,
			accessTokenExpiresAt: later,
		});
		const result = await running;

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(30);
		// The other worker's token, asked for by the test, is the only one: the node took it up.
		expect(world.sandbox.stats().tokenRequests).toBe(1);
		expect(world.engine.credentials.data(world.credential.id).accessToken).toBe(renewed);
	});

	it('is stored in the credential by n8n, with its expiry', async () => {
		world = await startWorld();
		await world.runNode({ items: fiftyFiles.slice(0, 1), parameters: uploadParameters() });

		const stored = world.engine.credentials.data(world.credential.id);
		expect(stored.accessToken).toEqual(expect.any(String));
		expect(Date.parse(String(stored.accessTokenExpiresAt))).toBeGreaterThan(Date.now());
	});

	it('is renewed when a run outlasts its lifetime, and the run still succeeds', async () => {
		// 50 items one at a time, each API call held 40 ms: about 6 s against a 2 s lifetime.
		world = await startWorld({ sandbox: { tokenLifetimeSeconds: 2, latencyMs: 40 } });

		const result = await world.runNode({
			items: fiftyFiles,
			parameters: uploadParameters({ options: { concurrency: 1 } }),
		});

		expect(result.error).toBeUndefined();
		expect(result.items.every(({ json }) => typeof json.documentId === 'number')).toBe(true);
		const { tokenRequests, rejectedApiCalls } = world.sandbox.stats();
		expect(tokenRequests).toBeGreaterThanOrEqual(3);
		expect(rejectedApiCalls).toBeLessThanOrEqual(tokenRequests);
	});

	it('is renewed once, through n8n, when PageUp revokes it early', async () => {
		world = await startWorld();
		await world.runNode({ items: fiftyFiles.slice(0, 1), parameters: uploadParameters() });
		const before = world.engine.credentials.data(world.credential.id).accessToken;
		world.sandbox.revokeTokens();

		const result = await world.runNode({
			items: fiftyFiles.slice(0, 4),
			parameters: uploadParameters({ options: { concurrency: 4 } }),
		});

		expect(result.error).toBeUndefined();
		expect(world.sandbox.stats().tokenRequests).toBe(2);
		expect(world.engine.credentials.data(world.credential.id).accessToken).not.toBe(before);
	});
});
