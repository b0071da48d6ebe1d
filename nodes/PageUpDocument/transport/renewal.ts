// The credential and its token over one execution. The node never keeps a token of its own: n8n's
// helper fetches one (the credential's preAuthentication) whenever the token it is handed is
// empty, writes it into that credential and stores it for every item, execution and queue worker.
// So the node reads the stored credential once, hands that same copy to every request, reads it
// again only when the token in it is due to expire, and to renew hands the helper the stored
// credential with its token cleared, one request at a time.
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { TOKEN_EXPIRY_FIELD } from './token';

/** Credentials as `getCredentials` returns them, plus the stored credential's id and name. */
export interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: ICredentialDataDecryptedObject;
}

/** The credential as n8n's helper should see it to fetch a new token first. */
export function withTokenCleared(credential: StoredCredential): StoredCredential {
	return { ...credential, data: { ...credential.data, accessToken: '' } };
}

/** The stored expiry in epoch milliseconds; NaN when there is none. */
function expiryOf(data: ICredentialDataDecryptedObject): number {
	return Date.parse(String(data[TOKEN_EXPIRY_FIELD] ?? ''));
}

/** Whether the token has passed the expiry its token answer gave (less a margin). */
export function tokenExpired(data: ICredentialDataDecryptedObject, now = Date.now()): boolean {
	return now >= expiryOf(data);
}

function hasToken(data: ICredentialDataDecryptedObject): boolean {
	return data.accessToken !== '' && data.accessToken !== undefined;
}

/**
 * One execution's credential. Items that find the token rejected while another item renews it
 * wait for that renewal instead of each fetching a token of their own.
 */
export class TokenRenewals {
	/** Counts renewals, so a request can tell whether one happened since it was sent. */
	generation = 0;

	private running: Promise<unknown> | undefined;

	/** The copy every request is handed; n8n writes a token it fetches into it. */
	private current: StoredCredential;

	/**
	 * When the token in `current` expires. With no token yet it is due at once (n8n is about to
	 * fetch one); a token without an expiry is left to PageUp's 401.
	 */
	private expiresAt = Number.NEGATIVE_INFINITY;

	/**
	 * @param read reads the stored credential afresh.
	 * @param first the stored credential as the execution first read it.
	 */
	constructor(
		private readonly read: () => Promise<StoredCredential>,
		first: StoredCredential,
	) {
		this.current = first;
		this.noteExpiry();
	}

	private adopt(credential: StoredCredential) {
		this.current = credential;
		this.noteExpiry();
	}

	private noteExpiry() {
		const { data } = this.current;
		const expiresAt = expiryOf(data);
		if (!hasToken(data)) this.expiresAt = Number.NEGATIVE_INFINITY;
		else this.expiresAt = Number.isNaN(expiresAt) ? Number.POSITIVE_INFINITY : expiresAt;
	}

	/**
	 * The credential to send with. It is read from storage again only once its token is due,
	 * since another execution or queue worker may have stored a newer one by then.
	 */
	async credential(now = Date.now()): Promise<StoredCredential> {
		// n8n may have written a token into the copy since it was last looked at.
		if (now >= this.expiresAt) this.noteExpiry();
		if (now >= this.expiresAt) this.adopt(await this.read());
		return this.current;
	}

	/**
	 * Runs `renewing` with the stored credential's token cleared, unless a renewal has happened
	 * since the request was sent or is under way; then `normal` repeats the request.
	 */
	async renew<T>(
		sentAt: number,
		renewing: (cleared: StoredCredential) => Promise<T>,
		normal: () => Promise<T>,
	): Promise<T> {
		if (this.generation > sentAt) return await normal();
		if (this.running !== undefined) {
			await this.running.catch(() => undefined);
			return await normal();
		}
		this.generation++;
		const running = (async () => {
			const cleared = withTokenCleared(await this.read());
			try {
				return await renewing(cleared);
			} finally {
				// Whatever the answer, the token n8n fetched (if any) is now in the cleared copy.
				this.adopt(cleared);
			}
		})();
		this.running = running;
		try {
			return await running;
		} finally {
			this.running = undefined;
		}
	}
}
