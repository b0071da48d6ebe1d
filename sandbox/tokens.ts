// The OAuth client-credentials token endpoint, and the bearer check every API call makes.

import { randomBytes } from 'node:crypto';

import type { ApiAnswer } from './http';
import { mediaType } from './http';
import type { SandboxSettings } from './settings';

export interface TokenClient {
	clientId: string;
	clientSecret: string;
}

interface IssuedToken {
	scopes: ReadonlySet<string>;
	expiresAt: number;
}

/** Expired tokens are forgotten once this many are held. */
const PRUNE_THRESHOLD = 10_000;

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export class TokenAuthority {
	private tokens = new Map<string, IssuedToken>();

	/** Every token ever issued, revoked or not, so a test can look for leaks. */
	private readonly everIssued: string[] = [];

	issue(scopes: readonly string[], lifetimeSeconds: number): string {
		if (this.tokens.size >= PRUNE_THRESHOLD) this.pruneExpired();
		const token = randomBytes(32).toString('base64url');
		this.everIssued.push(token);
		this.tokens.set(token, {
			scopes: new Set(scopes),
			expiresAt: Date.now() + lifetimeSeconds * 1000,
		});
		return token;
	}

	/** The 401 or 403 answer for this Authorization header, or undefined when it may proceed. */
	refuse(authorization: string | undefined, scope: string): ApiAnswer | undefined {
		const token = /^Bearer +(\S+)$/i.exec(authorization ?? '')?.[1];
		if (token === undefined) {
			return unauthorized('Authorization has been denied for this request: no bearer token.');
		}
		const issued = this.tokens.get(token);
		if (issued === undefined) {
			return unauthorized('Authorization has been denied for this request: invalid token.');
		}
		if (Date.now() >= issued.expiresAt) {
			return unauthorized('Authorization has been denied for this request: the token expired.');
		}
		if (!issued.scopes.has(scope)) {
			return {
				status: 403,
				body: [{ message: `The access token lacks the scope ${scope} this call requires.` }],
				headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
			};
		}
		return undefined;
	}

	issued(): string[] {
		return [...this.everIssued];
	}

	revokeAll(): void {
		this.tokens = new Map();
	}

	private pruneExpired(): void {
		const now = Date.now();
		for (const [token, issued] of this.tokens) {
			if (now >= issued.expiresAt) this.tokens.delete(token);
		}
	}
}

function unauthorized(message: string): ApiAnswer {
	return {
		status: 401,
		body: [{ message }],
		headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
	};
}

export interface TokenRequest {
	contentType: string | undefined;
	body: Buffer;
}

/** Answers a token request as strictly as an OAuth server does. */
export function answerTokenRequest(
	request: TokenRequest,
	client: TokenClient,
	settings: SandboxSettings,
	authority: TokenAuthority,
): ApiAnswer {
	if (mediaType(request.contentType) !== 'application/x-www-form-urlencoded') {
		return oauthError(
			400,
			'invalid_request',
			'Send the form as application/x-www-form-urlencoded.',
		);
	}
	const form = new URLSearchParams(request.body.toString('utf8'));
	const repeated = [...new Set(form.keys())].find((name) => form.getAll(name).length > 1);
	if (repeated !== undefined) {
		return oauthError(
			400,
			'invalid_request',
			`The parameter ${repeated} was given more than once.`,
		);
	}
	const grantType = form.get('grant_type');
	if (grantType === null) return oauthError(400, 'invalid_request', 'grant_type is missing.');
	if (grantType !== 'client_credentials') {
		return oauthError(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported.`);
	}
	if (
		form.get('client_id') !== client.clientId ||
		form.get('client_secret') !== client.clientSecret
	) {
		return oauthError(401, 'invalid_client', 'The client id or secret is wrong.');
	}
	// Like most OAuth servers, an omitted scope means every scope the client may have.
	const asked = (form.get('scope') ?? '').split(' ').filter((scope) => scope !== '');
	const scopes = asked.length > 0 ? asked : settings.allowedScopes;
	const refused = scopes.find((scope) => !settings.allowedScopes.includes(scope));
	if (refused !== undefined) {
		return oauthError(400, 'invalid_scope', `The scope ${refused} is not allowed for this client.`);
	}
	const accessToken = authority.issue(scopes, settings.tokenLifetimeSeconds);
	return {
		status: 200,
		body: {
			access_token: accessToken,
			expires_in: settings.tokenLifetimeSeconds,
			token_type: 'Bearer',
			scope: scopes.join(' '),
		},
		headers: NO_STORE,
	};
}

export function oauthError(status: number, error: string, description?: string): ApiAnswer {
	return {
		status,
		body: description === undefined ? { error } : { error, error_description: description },
		headers: NO_STORE,
	};
}
