// The client-credentials token request that the PageUp API credential runs before API calls.
import type { IDataObject, IHttpRequestHelper, IN8nHttpFullResponse } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { DOCUMENT_SCOPES, resolveEndpoints, type EndpointFields } from './endpoints';
import { networkFailure } from './errors';

export interface TokenCredentialFields extends EndpointFields {
	clientId?: unknown;
	clientSecret?: unknown;
	scopes?: unknown;
}

export interface AccessToken {
	accessToken: string;
	expiresInSeconds: number;
}

/** The hidden credential field where the token's expiry is stored beside the token. */
export const TOKEN_EXPIRY_FIELD = 'accessTokenExpiresAt';

/** When to treat a token as expired: a little before PageUp would, so no call is rejected. */
export function tokenExpiry({ expiresInSeconds }: AccessToken, issuedAt = Date.now()): string {
	const marginSeconds = Math.min(30, expiresInSeconds / 10);
	return new Date(issuedAt + (expiresInSeconds - marginSeconds) * 1000).toISOString();
}

// n8n wraps errors from preAuthentication and drops the original, keeping only its message and
// description; the description marks the message as a token failure.
export const TOKEN_ERROR_DESCRIPTION = 'PageUp token request failed';

/** A failed token request, worded for the person who filled in the credential. */
export class TokenRequestError extends Error {
	readonly description = TOKEN_ERROR_DESCRIPTION;

	constructor(message: string) {
		super(message);
		this.name = 'TokenRequestError';
	}
}

/** The token failure's message, whether thrown as it is or wrapped by n8n's helper. */
export function tokenFailureMessage(error: unknown): string | undefined {
	const { message, description } = (error ?? {}) as { message?: unknown; description?: unknown };
	return description === TOKEN_ERROR_DESCRIPTION && typeof message === 'string'
		? message
		: undefined;
}

/**
 * How long one token request may take, and the pauses before each repeat: a token endpoint that
 * is briefly down or slow should not fail a whole workflow. Tests shorten the timeout.
 */
export const TOKEN_REQUEST_LIMITS = { timeoutMs: 15_000, retryDelaysMs: [500, 1500] };

const OAUTH_HINTS: Record<string, string> = {
	invalid_client:
		'Check the Client ID and Client Secret, and that they were issued for this environment ' +
		'(production and UAT have different ones).',
	invalid_scope:
		'Ask PageUp to grant these scopes to the client, or remove the ones it lacks from Scopes.',
	unauthorized_client: 'Ask PageUp to enable the client-credentials grant for this client.',
	unsupported_grant_type: 'The token URL does not accept the client-credentials grant.',
};

export function scopesOf(fields: TokenCredentialFields): string {
	const scopes = String(fields.scopes ?? '')
		.split(/[\s,]+/)
		.filter((scope) => scope !== '');
	return scopes.length > 0 ? scopes.join(' ') : DOCUMENT_SCOPES;
}

function tokenRequestBody(fields: TokenCredentialFields): string {
	return new URLSearchParams({
		grant_type: 'client_credentials',
		client_id: String(fields.clientId ?? '').trim(),
		client_secret: String(fields.clientSecret ?? ''),
		scope: scopesOf(fields),
	}).toString();
}

function describeOAuthError(status: number, body: unknown): string {
	const answer = typeof body === 'object' && body !== null ? (body as IDataObject) : {};
	const code = typeof answer.error === 'string' ? answer.error : undefined;
	const detail =
		typeof answer.error_description === 'string' ? `: ${answer.error_description}` : '';
	if (code === undefined) {
		return (
			`PageUp's token endpoint answered HTTP ${status} without an OAuth error. ` +
			'Check the Token URL, data centre and environment.'
		);
	}
	const hint = OAUTH_HINTS[code] ?? 'Check the credential fields.';
	return `PageUp refused the token request (${code}${detail}, HTTP ${status}). ${hint}`;
}

/**
 * Asks the token endpoint for a bearer token. Errors say what PageUp answered and never carry
 * the request, which holds the client secret.
 */
export async function requestAccessToken(
	helper: IHttpRequestHelper,
	fields: TokenCredentialFields,
): Promise<AccessToken> {
	const { tokenUrl } = resolveEndpoints(fields);
	const host = new URL(tokenUrl).host;
	let failure = '';

	const { timeoutMs, retryDelaysMs } = TOKEN_REQUEST_LIMITS;
	for (let attempt = 0; attempt <= retryDelaysMs.length; attempt++) {
		if (attempt > 0) await sleep(retryDelaysMs[attempt - 1]);

		let response: IN8nHttpFullResponse;
		try {
			response = (await helper.helpers.httpRequest({
				method: 'POST',
				url: tokenUrl,
				headers: {
					'Content-Type': 'application/x-www-form-urlencoded',
					Accept: 'application/json',
				},
				body: tokenRequestBody(fields),
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				disableFollowRedirect: true,
				timeout: timeoutMs,
			})) as IN8nHttpFullResponse;
		} catch (error) {
			const { code } = (error ?? {}) as { code?: unknown };
			const reason = networkFailure(code) ?? 'no answer';
			failure =
				`Could not reach PageUp's token endpoint at ${host} (${reason}). ` +
				'Check the data centre, environment and Token URL.';
			continue;
		}

		const { statusCode, body } = response;
		if (statusCode >= 500 || statusCode === 429) {
			const what =
				statusCode === 429
					? 'is turning requests away (HTTP 429)'
					: `failed with HTTP ${statusCode}`;
			failure = `PageUp's token endpoint at ${host} ${what}. Try again later.`;
			continue;
		}
		if (statusCode !== 200) throw new TokenRequestError(describeOAuthError(statusCode, body));

		const answer = typeof body === 'object' && body !== null ? (body as IDataObject) : {};
		if (typeof answer.access_token !== 'string' || answer.access_token === '') {
			throw new TokenRequestError(
				`PageUp's token endpoint at ${host} answered without an access token. ` +
					'Check that the Token URL points at /connect/token.',
			);
		}
		const expiresIn = Number(answer.expires_in);
		return {
			accessToken: answer.access_token,
			expiresInSeconds: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 300,
		};
	}

	throw new TokenRequestError(`${failure} (${retryDelaysMs.length + 1} attempts were made.)`);
}
