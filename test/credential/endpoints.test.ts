import type { INode } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { PageUpApi } from '../../credentials/PageUpApi.credentials';
import { EndpointError, resolveEndpoints } from '../../nodes/PageUpDocument/transport/endpoints';

const fields = { environment: 'production', dataCentre: 'dc2', tenantId: '218' };

describe('PageUp hosts', () => {
	it.each([
		[
			'production',
			'dc2',
			'https://login.dc2.pageuppeople.com/connect/token',
			'https://api.dc2.pageuppeople.com/v3/218/recruitment/document',
		],
		[
			'production',
			'dc3',
			'https://login.dc3.pageuppeople.com/connect/token',
			'https://api.dc3.pageuppeople.com/v3/218/recruitment/document',
		],
		[
			'production',
			'dc4',
			'https://login.dc4.pageuppeople.com/connect/token',
			'https://api.dc4.pageuppeople.com/v3/218/recruitment/document',
		],
		[
			'production',
			'dc5',
			'https://login.dc5.pageuppeople.com/connect/token',
			'https://api.dc5.pageuppeople.com/v3/218/recruitment/document',
		],
		[
			'uat',
			'dc2',
			'https://loginuat.dc2.pageuppeople.com/connect/token',
			'https://apiuat.dc2.pageuppeople.com/v3/218/recruitment/document',
		],
		[
			'uat',
			'dc3',
			'https://loginuat.dc3.pageuppeople.com/connect/token',
			'https://apiuat.dc3.pageuppeople.com/v3/218/recruitment/document',
		],
		[
			'uat',
			'dc4',
			'https://loginuat.dc4.pageuppeople.com/connect/token',
			'https://apiuat.dc4.pageuppeople.com/v3/218/recruitment/document',
		],
		[
			'uat',
			'dc5',
			'https://loginuat.dc5.pageuppeople.com/connect/token',
			'https://apiuat.dc5.pageuppeople.com/v3/218/recruitment/document',
		],
	])('%s in %s uses %s and %s', (environment, dataCentre, tokenUrl, apiRootUrl) => {
		expect(resolveEndpoints({ ...fields, environment, dataCentre })).toEqual({
			tokenUrl,
			apiRootUrl,
		});
	});

	it('puts the tenant id into the API root', () => {
		expect(resolveEndpoints({ ...fields, tenantId: '6784' }).apiRootUrl).toBe(
			'https://api.dc2.pageuppeople.com/v3/6784/recruitment/document',
		);
	});

	it('uses the token URL and API root overrides as given, without a trailing slash', () => {
		expect(
			resolveEndpoints({
				...fields,
				tokenUrl: 'https://acme.login.pageuppeople.com/connect/token',
				apiRootUrl: 'http://127.0.0.1:4010/v3/218/recruitment/document/',
			}),
		).toEqual({
			tokenUrl: 'https://acme.login.pageuppeople.com/connect/token',
			apiRootUrl: 'http://127.0.0.1:4010/v3/218/recruitment/document',
		});
	});

	it.each(['21a', '', ' ', '-218', '2.18', '218; DROP'])(
		'refuses the tenant id "%s"',
		(tenantId) => {
			expect(() => resolveEndpoints({ ...fields, tenantId })).toThrow(
				expect.objectContaining({
					field: 'tenantId',
					message: expect.stringContaining('Tenant ID'),
				}),
			);
		},
	);

	it.each([
		'ftp://example.com/token',
		'javascript:alert(1)',
		'login.dc2.pageuppeople.com',
		'https://user:pw@example.com',
	])('refuses the override "%s"', (tokenUrl) => {
		expect(() => resolveEndpoints({ ...fields, tokenUrl })).toThrow(EndpointError);
	});

	it('refuses a data centre that PageUp does not have', () => {
		expect(() => resolveEndpoints({ ...fields, dataCentre: 'dc9' })).toThrow(/Data Centre/);
	});
});

describe('the credential test request', () => {
	const credential = new PageUpApi();
	const node: INode = {
		id: '1',
		name: 'Test',
		type: 'test',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: { getByName: jest.fn(), getByNameAndVersion: jest.fn(), getKnownTypes: jest.fn() },
	});
	const baseUrlFor = (credentials: Record<string, string>) =>
		workflow.expression.getSimpleParameterValue(
			node,
			credential.test.request.baseURL as string,
			'internal',
			{ $credentials: credentials },
		);

	it.each([
		['production', 'dc2'],
		['production', 'dc5'],
		['uat', 'dc3'],
		['uat', 'dc4'],
	])('addresses the same API root as the node for %s in %s', (environment, dataCentre) => {
		const credentials = { ...fields, environment, dataCentre, apiRootUrl: '' };
		expect(baseUrlFor(credentials)).toBe(resolveEndpoints(credentials).apiRootUrl);
	});

	it('addresses the API root override when one is set', () => {
		const apiRootUrl = 'http://127.0.0.1:4010/v3/218/recruitment/document';
		expect(baseUrlFor({ ...fields, apiRootUrl })).toBe(apiRootUrl);
	});
});
