import { startSandbox } from '../../sandbox';
import { accessToken, bearer, prepareResponse, requestToken, useSandbox } from './helpers';

describe('the sandbox token endpoint', () => {
	const sandbox = useSandbox();

	it('answers a client-credentials form with a bearer token for the scopes asked', async () => {
		const response = await requestToken(sandbox());

		expect(response.status).toBe(200);
		expect(response.headers.get('cache-control')).toBe('no-store');
		expect(await response.json()).toEqual({
			access_token: expect.stringMatching(/^[\w-]{32,}$/),
			expires_in: 300,
			token_type: 'Bearer',
			scope: 'Public.Document.Read Public.Document.Write',
		});
	});

	it('issues a different opaque token each time', async () => {
		const first = await accessToken(sandbox());
		const second = await accessToken(sandbox());

		expect(first).not.toBe(second);
	});

	it('refuses a body that is not a form with invalid_request', async () => {
		const response = await requestToken(sandbox(), {}, 'application/json');

		expect(response.status).toBe(400);
		expect(await response.json()).toMatchObject({ error: 'invalid_request' });
	});

	it('refuses another grant type with unsupported_grant_type', async () => {
		const response = await requestToken(sandbox(), { grant_type: 'password' });

		expect(response.status).toBe(400);
		expect(await response.json()).toMatchObject({ error: 'unsupported_grant_type' });
	});

	it('refuses a wrong client secret or client id with 401 invalid_client', async () => {
		const badSecret = await requestToken(sandbox(), { client_secret: 'not-the-secret' });
		const badId = await requestToken(sandbox(), { client_id: 'someone-else' });

		expect(badSecret.status).toBe(401);
		expect(await badSecret.json()).toMatchObject({ error: 'invalid_client' });
		expect(badId.status).toBe(401);
		expect(await badId.json()).toMatchObject({ error: 'invalid_client' });
	});

	it('refuses a scope the client may not have with invalid_scope', async () => {
		const response = await requestToken(sandbox(), {
			scope: 'Public.Document.Read Public.Candidate.Write',
		});

		expect(response.status).toBe(400);
		expect(await response.json()).toMatchObject({ error: 'invalid_scope' });
	});

	it('grants every allowed scope when none is asked for', async () => {
		const response = await requestToken(sandbox(), { scope: '' });

		expect(await response.json()).toMatchObject({
			scope: 'Public.Document.Read Public.Document.Write',
		});
	});

	it('gives tokens the lifetime set while running', async () => {
		sandbox().setOptions({ tokenLifetimeSeconds: 42 });

		const response = await requestToken(sandbox());

		expect(await response.json()).toMatchObject({ expires_in: 42 });
	});

	it('counts every token request, and separately the tokens it issued', async () => {
		await requestToken(sandbox());
		await requestToken(sandbox(), { client_secret: 'wrong' });
		await requestToken(sandbox(), { grant_type: 'password' });

		expect(sandbox().stats()).toMatchObject({ tokenRequests: 3, tokensIssued: 1 });
		expect(sandbox().stats().requestsByKind.token).toBe(3);
	});

	it('takes POST only', async () => {
		const response = await fetch(sandbox().tokenUrl);

		expect(response.status).toBe(405);
		expect(await response.json()).toMatchObject({ error: 'invalid_request' });
	});
});

describe('a sandbox that allows fewer scopes', () => {
	it('refuses the scopes it does not allow, and tokens carry only what was granted', async () => {
		const sandbox = await startSandbox({ allowedScopes: ['Public.Document.Read'] });
		try {
			const refused = await requestToken(sandbox);
			const readOnly = await accessToken(sandbox, 'Public.Document.Read');
			const prepare = await prepareResponse(sandbox, readOnly, { fileName: 'cv.pdf' });

			expect(refused.status).toBe(400);
			expect(await refused.json()).toMatchObject({ error: 'invalid_scope' });
			expect(prepare.status).toBe(403);
			expect(bearer(readOnly).Authorization).toMatch(/^Bearer /);
		} finally {
			await sandbox.close();
		}
	});
});
