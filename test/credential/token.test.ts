import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

// n8n's own request helper, the one preAuthentication receives inside n8n.
import { httpRequest } from 'n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions';
import type { IHttpRequestHelper } from 'n8n-workflow';

import { PageUpApi } from '../../credentials/PageUpApi.credentials';
import { requestAccessToken } from '../../nodes/PageUpDocument/transport/token';
import { startSandbox, type Sandbox } from '../../sandbox';

const helper = { helpers: { httpRequest } } as unknown as IHttpRequestHelper;

interface Captured {
	method?: string;
	headers: IncomingMessage['headers'];
	body: string;
}

/** A token endpoint that records what it was sent and answers like PageUp's. */
async function recordingTokenEndpoint() {
	const received: Captured[] = [];
	const server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			received.push({ method: req.method, headers: req.headers, body });
			res.setHeader('Content-Type', 'application/json');
			res.end(
				JSON.stringify({ access_token: 'issued-token', expires_in: 300, token_type: 'Bearer' }),
			);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/connect/token`;
	return { url, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('the token request', () => {
	it('posts a form-encoded client-credentials grant with the credentials in the body', async () => {
		const endpoint = await recordingTokenEndpoint();
		try {
			const token = await requestAccessToken(helper, {
				environment: 'production',
				dataCentre: 'dc2',
				tenantId: '218',
				clientId: 'client-42',
				clientSecret: 's3cr&t=+',
				scopes: 'Public.Document.Read  Public.Document.Write',
				tokenUrl: endpoint.url,
			});

			expect(token).toEqual({ accessToken: 'issued-token', expiresInSeconds: 300 });
			expect(endpoint.received).toHaveLength(1);
			const [request] = endpoint.received;
			expect(request.method).toBe('POST');
			expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
			expect(request.headers.authorization).toBeUndefined();
			expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
				grant_type: 'client_credentials',
				client_id: 'client-42',
				client_secret: 's3cr&t=+',
				scope: 'Public.Document.Read Public.Document.Write',
			});
		} finally {
			await endpoint.close();
		}
	});

	it('asks for both Document scopes when Scopes is left empty', async () => {
		const endpoint = await recordingTokenEndpoint();
		try {
			await requestAccessToken(helper, {
				environment: 'uat',
				dataCentre: 'dc3',
				tenantId: '1',
				clientId: 'c',
				clientSecret: 's',
				scopes: '',
				tokenUrl: endpoint.url,
			});
			expect(new URLSearchParams(endpoint.received[0].body).get('scope')).toBe(
				'Public.Document.Read Public.Document.Write',
			);
		} finally {
			await endpoint.close();
		}
	});
});

describe('the credential', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await startSandbox();
	});

	afterAll(async () => await sandbox.close());

	it('stores only the token and its expiry from its pre-authentication', async () => {
		const output = await new PageUpApi().preAuthentication.call(helper, {
			...sandbox.credentials,
			environment: 'production',
			dataCentre: 'dc2',
		});
		expect(Object.keys(output)).toEqual(['accessToken', 'accessTokenExpiresAt']);
		expect(output.accessToken).toEqual(expect.any(String));
		expect(sandbox.stats().tokenRequests).toBe(1);
	});

	it("sends the token as a Bearer header, keeping the request's other headers", async () => {
		const request = await new PageUpApi().authenticate(
			{ accessToken: 'stored-token' },
			{
				url: 'https://api.dc2.pageuppeople.com/v3/218/recruitment/document/1',
				headers: { Accept: 'application/json' },
			},
		);
		expect(request.headers).toEqual({
			Accept: 'application/json',
			Authorization: 'Bearer stored-token',
		});
	});

	it('keeps the token in a hidden, expirable, password field', () => {
		const field = new PageUpApi().properties.find(({ name }) => name === 'accessToken');
		expect(field).toMatchObject({
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
		});
	});
});
