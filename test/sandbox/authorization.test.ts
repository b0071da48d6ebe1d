import { startSandbox } from '../../sandbox';
import {
	accessToken,
	bearer,
	downloadLink,
	prepareResponse,
	uploadDocument,
	useSandbox,
} from './helpers';

describe('bearer tokens on the Document API', () => {
	const sandbox = useSandbox();

	async function expectUnauthorized(response: Response) {
		expect(response.status).toBe(401);
		expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		expect(await response.json()).toEqual([{ message: expect.any(String) }]);
	}

	it('answers a call without a token with 401 and counts it', async () => {
		const response = await fetch(`${sandbox().apiRootUrl}/prepareTempDirectUpload?fileName=a.pdf`);

		await expectUnauthorized(response);
		expect(sandbox().stats().rejectedApiCalls).toBe(1);
	});

	it('answers an unknown token with 401', async () => {
		await expectUnauthorized(await prepareResponse(sandbox(), 'made-up', { fileName: 'a.pdf' }));
	});

	it('answers an expired token with 401 and counts it', async () => {
		sandbox().setOptions({ tokenLifetimeSeconds: 1 });
		const token = await accessToken(sandbox());
		const fresh = await prepareResponse(sandbox(), token, { fileName: 'a.pdf' });
		await new Promise((resolve) => setTimeout(resolve, 1100));

		const stale = await prepareResponse(sandbox(), token, { fileName: 'a.pdf' });

		expect(fresh.status).toBe(200);
		await expectUnauthorized(stale);
		expect(sandbox().stats().rejectedApiCalls).toBe(1);
	});

	it('answers every token issued before a revocation with 401, and new tokens work', async () => {
		const first = await accessToken(sandbox());
		const second = await accessToken(sandbox());

		sandbox().revokeTokens();

		await expectUnauthorized(await prepareResponse(sandbox(), first, { fileName: 'a.pdf' }));
		await expectUnauthorized(await downloadLink(sandbox(), second, 1001));
		expect(sandbox().stats().rejectedApiCalls).toBe(2);
		const renewed = await accessToken(sandbox());
		expect((await prepareResponse(sandbox(), renewed, { fileName: 'a.pdf' })).status).toBe(200);
	});

	it('answers 403 when the token lacks the scope the call needs', async () => {
		const writer = await accessToken(sandbox());
		const documentId = await uploadDocument(sandbox(), writer, 'cv.pdf', Buffer.from('cv'));
		const reader = await accessToken(sandbox(), 'Public.Document.Read');
		const writeOnly = await accessToken(sandbox(), 'Public.Document.Write');

		const prepare = await prepareResponse(sandbox(), reader, { fileName: 'a.pdf' });
		const link = await downloadLink(sandbox(), writeOnly, documentId);
		const allowed = await downloadLink(sandbox(), reader, documentId);

		expect(prepare.status).toBe(403);
		expect(await prepare.json()).toEqual([
			{ message: expect.stringContaining('Public.Document.Write') },
		]);
		expect(link.status).toBe(403);
		expect(allowed.status).toBe(200);
	});

	it('answers another tenant with 404 and a JSON array', async () => {
		const token = await accessToken(sandbox());
		const otherTenant = sandbox().apiRootUrl.replace('/v3/218/', '/v3/219/');

		const response = await fetch(`${otherTenant}/prepareTempDirectUpload?fileName=a.pdf`, {
			headers: bearer(token),
		});

		expect(response.status).toBe(404);
		expect(await response.json()).toEqual([{ message: 'Tenant 219 was not found.' }]);
	});

	it('answers a path outside the API with 404 and a JSON array', async () => {
		const response = await fetch(`${sandbox().apiUrl}/v3/218/recruitment/documents`);

		expect(response.status).toBe(404);
		expect(await response.json()).toEqual([{ message: expect.any(String) }]);
	});
});

describe('a sandbox for another tenant', () => {
	it('serves its API root under its own tenant id', async () => {
		const sandbox = await startSandbox({ tenantId: '6784', clientSecret: 'known-secret' });
		try {
			const token = await accessToken(sandbox);

			const response = await prepareResponse(sandbox, token, { fileName: 'a.pdf' });

			expect(sandbox.apiRootUrl).toMatch(/\/v3\/6784\/recruitment\/document$/);
			expect(sandbox.credentials).toMatchObject({ tenantId: '6784', clientSecret: 'known-secret' });
			expect(response.status).toBe(200);
		} finally {
			await sandbox.close();
		}
	});
});
