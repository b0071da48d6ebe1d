// A credential store in memory that treats credentials the way n8n's own helper does: it applies
// defaults, runs `preAuthentication` when the expirable field is empty or PageUp rejected it, and
// stores the new token so that later items and executions reuse it.
import { Credentials } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers } from 'n8n-workflow';

/** The node type n8n's credential tester runs a credential's test request as. */
export const CREDENTIAL_TEST_NODE_TYPE = 'n8n-nodes-base.noOp';

interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: ICredentialDataDecryptedObject;
}

export class MemoryCredentialsHelper extends ICredentialsHelper {
	private readonly stored = new Map<string, StoredCredential>();

	/** How often each credential's `preAuthentication` ran, by credential id. */
	readonly preAuthentications = new Map<string, number>();

	constructor(private readonly types: Record<string, ICredentialType>) {
		super();
	}

	add(type: string, data: ICredentialDataDecryptedObject, name = `${type} credential`) {
		const id = String(this.stored.size + 1);
		this.stored.set(id, { id, name, type, data: { ...data } });
		return { id, name };
	}

	/** The credential as stored now, token included. */
	data(id: string): ICredentialDataDecryptedObject {
		return { ...this.entry({ id, name: '' }).data };
	}

	update(id: string, data: ICredentialDataDecryptedObject) {
		const entry = this.entry({ id, name: '' });
		entry.data = { ...entry.data, ...data };
	}

	private entry(details: INodeCredentialsDetails): StoredCredential {
		const entry = details.id ? this.stored.get(details.id) : undefined;
		if (entry === undefined) throw new Error(`No credential with id ${details.id ?? '(none)'}`);
		return entry;
	}

	credentialType(name: string): ICredentialType {
		return this.type(name);
	}

	private type(name: string): ICredentialType {
		const type = this.types[name];
		if (type === undefined) throw new Error(`Unknown credential type ${name}`);
		return type;
	}

	getParentTypes(): string[] {
		return [];
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.type(type).properties;
	}

	async getCredentials(details: INodeCredentialsDetails, type: string) {
		const entry = this.entry(details);
		const credentials = new Credentials({ id: entry.id, name: entry.name }, type);
		credentials.setData(entry.data);
		return credentials;
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		details: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const { data } = this.entry(details);
		const withDefaults = NodeHelpers.getNodeParameters(
			this.type(type).properties,
			data as never,
			true,
			false,
			null,
			null,
		);
		return { ...(withDefaults as ICredentialDataDecryptedObject) };
	}

	async updateCredentials(
		details: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	) {
		this.entry(details).data = { ...data };
	}

	async updateCredentialsOauthTokenData() {}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.type(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (authenticate?.type !== 'generic') return requestOptions as IHttpRequestOptions;

		const resolve = (value: string) =>
			String(
				workflow.expression.getSimpleParameterValue(
					node,
					value,
					'internal',
					{ $credentials: credentials },
					undefined,
					'',
				) ?? '',
			);
		const options = requestOptions as unknown as Record<string, Record<string, string>>;
		for (const [where, entries] of Object.entries(authenticate.properties)) {
			options[where] ??= {};
			for (const [key, value] of Object.entries(entries as Record<string, string>)) {
				options[where][resolve(key)] = resolve(value);
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		const expirable = type.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (expirable === undefined || typeof type.preAuthentication !== 'function') return undefined;
		// As in n8n, a credential test always fetches a fresh token.
		const isCredentialTest =
			node.type === CREDENTIAL_TEST_NODE_TYPE && node.parameters?.temp === '';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !isCredentialTest) {
			return undefined;
		}

		const output = await type.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		const details = node.credentials?.[typeName];
		if (details?.id) {
			const count = this.preAuthentications.get(details.id) ?? 0;
			this.preAuthentications.set(details.id, count + 1);
			this.update(details.id, output as ICredentialDataDecryptedObject);
		}
		return Object.assign(credentials, output);
	}
}
