// Where a PageUp tenant's token endpoint and Document API live, from the credential's fields.

export type Environment = 'production' | 'uat';

export type DataCentre = 'dc2' | 'dc3' | 'dc4' | 'dc5';

export const DATA_CENTRES: Array<{ name: string; value: DataCentre }> = [
	{ name: 'AUS (Dc2)', value: 'dc2' },
	{ name: 'UK / EMEA (Dc3)', value: 'dc3' },
	{ name: 'US (Dc4)', value: 'dc4' },
	{ name: 'SEA (Dc5)', value: 'dc5' },
];

export const DOCUMENT_SCOPES = 'Public.Document.Read Public.Document.Write';

export interface EndpointFields {
	environment?: unknown;
	dataCentre?: unknown;
	tenantId?: unknown;
	tokenUrl?: unknown;
	apiRootUrl?: unknown;
}

export interface PageUpEndpoints {
	tokenUrl: string;
	/** The Document API root, without a trailing slash: `.../v3/<tenantId>/recruitment/document` */
	apiRootUrl: string;
}

/** A credential value that cannot form a valid address; the message names the field. */
export class EndpointError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
		this.name = 'EndpointError';
	}
}

const TENANT_ID = /^[0-9]{1,10}$/;

export function tenantIdOf(fields: EndpointFields): string {
	const tenantId = String(fields.tenantId ?? '').trim();
	if (!TENANT_ID.test(tenantId)) {
		throw new EndpointError(
			'tenantId',
			'Tenant ID must be digits only, such as 218. PageUp gives it with your API credentials.',
		);
	}
	return tenantId;
}

function environmentOf(fields: EndpointFields): Environment {
	const environment = fields.environment ?? 'production';
	if (environment !== 'production' && environment !== 'uat') {
		throw new EndpointError('environment', 'Environment must be Production or UAT.');
	}
	return environment;
}

function dataCentreOf(fields: EndpointFields): DataCentre {
	const dataCentre = DATA_CENTRES.find(({ value }) => value === fields.dataCentre);
	if (dataCentre === undefined) {
		throw new EndpointError('dataCentre', 'Data Centre must be one of dc2, dc3, dc4 or dc5.');
	}
	return dataCentre.value;
}

function overrideOf(fields: EndpointFields, field: 'tokenUrl' | 'apiRootUrl', label: string) {
	const value = String(fields[field] ?? '').trim();
	if (value === '') return undefined;
	if (!URL.canParse(value)) {
		throw new EndpointError(field, `${label} must be a full http(s) address.`);
	}
	const url = new URL(value);
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new EndpointError(
			field,
			`${label} must start with https:// (or http:// for local tests).`,
		);
	}
	if (url.username !== '' || url.password !== '') {
		throw new EndpointError(field, `${label} must not hold a user name or password.`);
	}
	return value.replace(/\/+$/, '');
}

export function resolveEndpoints(fields: EndpointFields): PageUpEndpoints {
	const tenantId = tenantIdOf(fields);
	const environment = environmentOf(fields);
	const dataCentre = dataCentreOf(fields);
	const uat = environment === 'uat';

	return {
		tokenUrl:
			overrideOf(fields, 'tokenUrl', 'Token URL') ??
			`https://${uat ? 'loginuat' : 'login'}.${dataCentre}.pageuppeople.com/connect/token`,
		apiRootUrl:
			overrideOf(fields, 'apiRootUrl', 'API Root URL') ??
			`https://${uat ? 'apiuat' : 'api'}.${dataCentre}.pageuppeople.com` +
				`/v3/${tenantId}/recruitment/document`,
	};
}
