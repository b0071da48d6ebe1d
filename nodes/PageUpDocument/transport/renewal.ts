// Renewing PageUp's token through n8n: the node never keeps a token of its own. n8n's helper
// fetches one (the credential's preAuthentication) whenever the stored token is empty, and stores
// the result for every item, execution and queue worker. So to renew, the node hands the helper
// the stored credential with its token cleared, and lets one request at a time do so.
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted } from 'n8n-workflow';

import { TOKEN_EXPIRY_FIELD } from './token';

/** Credentials as `getCredentials` returns them, plus the stored credential's id and name. */
export interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: ICredentialDataDecryptedObject;
}

/** The credential as n8n's helper should see it to fetch a new token first. */
export function withTokenCleared(credential: StoredCredential): ICredentialsDecrypted {
	return { ...credential, data: { ...credential.data, accessToken: '' } };
}

/** Whether the stored token has passed the expiry its token answer gave (less a margin). */
export function tokenExpired(data: ICredentialDataDecryptedObject, now = Date.now()): boolean {
	const expiresAt = Date.parse(String(data[TOKEN_EXPIRY_FIELD] ?? ''));
	return !Number.isNaN(expiresAt) && now >= expiresAt;
}

/**
 * One execution's renewals. Items that find the token rejected while another item renews it
 * wait for that renewal instead of each fetching a token of their own.
 */
export class TokenRenewals {
	/** Counts renewals, so a request can tell whether one happened since it was sent. */
	generation = 0;

	private running: Promise<unknown> | undefined;

	/** The stored token's expiry as last read (the token itself stays with n8n). */
	private knownExpiresAt = Number.NEGATIVE_INFINITY;

	/** Whether the stored expiry must be read again before the next request. */
	due(now = Date.now()): boolean {
		return now >= this.knownExpiresAt;
	}

	/**
	 * Notes the stored expiry. With no token yet, reads again next time (n8n is about to fetch one);
	 * a token stored without an expiry is left to PageUp's 401.
	 */
	noteExpiry(data: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject {
		const expiresAt = Date.parse(String(data[TOKEN_EXPIRY_FIELD] ?? ''));
		if (data.accessToken === '' || data.accessToken === undefined) {
			this.knownExpiresAt = Number.NEGATIVE_INFINITY;
		} else {
			this.knownExpiresAt = Number.isNaN(expiresAt) ? Number.POSITIVE_INFINITY : expiresAt;
		}
		return data;
	}

	async renew<T>(sentAt: number, renewing: () => Promise<T>, normal: () => Promise<T>): Promise<T> {
		if (this.generation > sentAt) return await normal();
		if (this.running !== undefined) {
			await this.running.catch(() => undefined);
			return await normal();
		}
		this.generation++;
		const running = renewing();
		this.running = running;
		try {
			return await running;
		} finally {
			this.running = undefined;
			this.knownExpiresAt = Number.NEGATIVE_INFINITY;
		}
	}
}
