import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { DATA_CENTRES, DOCUMENT_SCOPES } from '../nodes/PageUpDocument/transport/endpoints';
import {
	requestAccessToken,
	TOKEN_EXPIRY_FIELD,
	tokenExpiry,
} from '../nodes/PageUpDocument/transport/token';

export class PageUpApi implements ICredentialType {
	name = 'pageUpApi';

	displayName = 'PageUp API';

	icon: Icon = { light: 'file:pageUp.svg', dark: 'file:pageUp.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-pageup/n8n-nodes-pageup#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production', value: 'production' },
				{ name: 'UAT (Testing)', value: 'uat' },
			],
			default: 'production',
			description:
				'Production or UAT. PageUp issues a separate client ID and secret for each environment.',
		},
		{
			displayName: 'Data Centre',
			name: 'dataCentre',
			type: 'options',
			options: DATA_CENTRES,
			default: 'dc2',
			description:
				'The PageUp data centre that hosts your organisation. Ask your PageUp representative if you do not know it.',
		},
		{
			displayName: 'Tenant ID',
			name: 'tenantId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 218',
			description:
				"Your organisation's PageUp tenant ID, digits only (often three digits). It appears in your PageUp API address after /v3/.",
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			description: 'The API client ID that PageUp issued for this environment',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The API client secret that PageUp issued with the client ID',
		},
		{
			displayName: 'Scopes',
			name: 'scopes',
			type: 'string',
			default: DOCUMENT_SCOPES,
			description:
				'Space-separated scopes to request: Public.Document.Read gets download links, Public.Document.Write uploads',
		},
		{
			displayName: 'Token URL',
			name: 'tokenUrl',
			type: 'string',
			default: '',
			placeholder: 'https://yourcompany.login.pageuppeople.com/connect/token',
			description:
				"Leave empty to use the data centre's token endpoint. Set it for an older per-company login host, a gateway or a local sandbox.",
		},
		{
			displayName: 'API Root URL',
			name: 'apiRootUrl',
			type: 'string',
			default: '',
			placeholder: 'https://api.dc2.pageuppeople.com/v3/218/recruitment/document',
			description:
				"Leave empty to use the data centre's Document API. Set it, ending in /recruitment/document, for a gateway or a local sandbox.",
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Access Token Expires At',
			name: TOKEN_EXPIRY_FIELD,
			type: 'hidden',
			default: '',
		},
	];

	// n8n stores the token (and its expiry) in the credential, so every item, execution and queue
	// worker reuses it; the node asks for a new one when it expires or PageUp rejects it.
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const token = await requestAccessToken(this, credentials);
		return { accessToken: token.accessToken, [TOKEN_EXPIRY_FIELD]: tokenExpiry(token) };
	}

	// A function rather than a generic '=Bearer {{$credentials.accessToken}}' header: n8n would
	// evaluate that expression on every request, at more CPU than the rest of the call's own work.
	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => ({
		...requestOptions,
		headers: {
			...requestOptions.headers,
			Authorization: `Bearer ${String(credentials.accessToken)}`,
		},
	});

	// The token request above checks the client and scopes; preparing an upload slot (nothing is
	// uploaded) then checks the tenant ID, data centre and API root.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ $credentials.apiRootUrl ? $credentials.apiRootUrl : "https://" + ($credentials.environment === "uat" ? "apiuat" : "api") + "." + $credentials.dataCentre + ".pageuppeople.com/v3/" + $credentials.tenantId + "/recruitment/document" }}',
			url: '/prepareTempDirectUpload',
			qs: { fileName: 'n8n-credential-test.txt' },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'PageUp issued a token but the Document API rejected it. Check the environment.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The client may not upload documents: ask PageUp for the Public.Document.Write scope.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No Document API answered there. Check the tenant ID, data centre and API Root URL.',
				},
			},
		],
	};
}
