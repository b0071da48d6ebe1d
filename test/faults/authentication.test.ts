import { TOKEN_REQUEST_LIMITS } from '../../nodes/PageUpDocument/transport/token';
import { downloadUrlParameters, errorMessage, fileItem, uploadParameters } from '../support/pageup';
import {
	errorDescription,
	forgetToken,
	logLines,
	requestCount,
	runWithCredential,
	useWorld,
} from './support';

const world = useWorld();

async function upload(name = 'cv.txt') {
	return await world().runNode({
		items: [fileItem(name, 'a resume')],
		parameters: uploadParameters(),
	});
}

describe('a failing token endpoint', () => {
	const tokenHost = () => new URL(world().sandbox.tokenUrl).host;

	beforeEach(() => forgetToken(world()));

	it('that answers 500 twice is asked a third time, and the upload goes through', async () => {
		world().sandbox.injectFault({ kind: 'token', status: 500, count: 2 });

		const result = await upload();

		expect(result.error).toBeUndefined();
		expect(world().sandbox.document(result.items[0].json.documentId as number)).toBeDefined();
		expect(world().sandbox.stats()).toMatchObject({ tokenRequests: 3, tokensIssued: 1 });
	});

	it('that answers 500 three times fails with an error naming the token endpoint', async () => {
		world().sandbox.injectFault({ kind: 'token', status: 500, count: 3 });

		const result = await upload();

		expect(errorMessage(result)).toBe(
			"PageUp prepare step failed (no access token): PageUp's token endpoint at " +
				`${tokenHost()} failed with HTTP 500. Try again later. (3 attempts were made.)`,
		);
		expect(errorDescription(result)).toContain('Fix the PageUp API credential');
		expect(requestCount(world(), 'token')).toBe(3);
		expect(requestCount(world(), 'prepare')).toBe(0);
	});

	describe('with a token timeout of 300 ms', () => {
		const { timeoutMs } = TOKEN_REQUEST_LIMITS;
		beforeEach(() => (TOKEN_REQUEST_LIMITS.timeoutMs = 300));
		afterEach(() => (TOKEN_REQUEST_LIMITS.timeoutMs = timeoutMs));

		it('that answers too late once is asked again, and the upload goes through', async () => {
			world().sandbox.injectFault({ kind: 'token', delayMs: 1500 });

			const result = await upload();

			expect(result.error).toBeUndefined();
			expect(result.items[0].json.documentId).toEqual(expect.any(Number));
			expect(requestCount(world(), 'token')).toBe(2);
		});

		it('that never answers in time fails, saying the token request timed out', async () => {
			world().sandbox.injectFault({ kind: 'token', delayMs: 1500, count: 3 });

			const result = await upload();

			expect(errorMessage(result)).toBe(
				"PageUp prepare step failed (no access token): Could not reach PageUp's token " +
					`endpoint at ${tokenHost()} (the request timed out). Check the data centre, ` +
					'environment and Token URL. (3 attempts were made.)',
			);
			expect(requestCount(world(), 'prepare')).toBe(0);
		});
	});

	it('that refuses the client secret fails at once, unretried, saying what to check', async () => {
		const result = await runWithCredential(
			world(),
			{ clientSecret: 'not-the-secret' },
			{ items: [fileItem('cv.txt', 'a resume')], parameters: uploadParameters() },
		);

		expect(errorMessage(result)).toContain('PageUp refused the token request (invalid_client');
		expect(errorMessage(result)).toContain('Check the Client ID and Client Secret');
		expect(requestCount(world(), 'token')).toBe(1);
	});
});

describe('PageUp rejecting the access token with 401', () => {
	let documentId: number;

	beforeAll(async () => {
		documentId = (await upload('for-links.txt')).items[0].json.documentId as number;
	});

	it('after an early revocation makes the node renew it once; the upload works', async () => {
		world().sandbox.revokeTokens();

		const result = await upload();

		expect(result.error).toBeUndefined();
		expect(world().sandbox.stats()).toMatchObject({ tokensIssued: 1, rejectedApiCalls: 1 });
		expect(requestCount(world(), 'prepare')).toBe(2);
		expect(logLines(world(), 'warn', 'rejected the access token')).toHaveLength(1);
	});

	it('on prepare renews the token and repeats the prepare once', async () => {
		world().sandbox.injectFault({ kind: 'prepare', status: 401 });

		const result = await upload();

		expect(result.error).toBeUndefined();
		expect(requestCount(world(), 'token')).toBe(1);
		expect(requestCount(world(), 'prepare')).toBe(2);
	});

	it('on moveFromTemp renews the token and repeats the move: exactly one document', async () => {
		const before = world().sandbox.documents().length;
		world().sandbox.injectFault({ kind: 'move', status: 401 });

		const result = await upload('renewed-move.txt');

		expect(result.error).toBeUndefined();
		expect(requestCount(world(), 'token')).toBe(1);
		expect(requestCount(world(), 'move')).toBe(2);
		expect(world().sandbox.documents()).toHaveLength(before + 1);
	});

	it('on a download link renews the token and repeats the request', async () => {
		world().sandbox.injectFault({ kind: 'link', status: 401 });

		const result = await world().runNode({
			items: [{ json: {} }],
			parameters: downloadUrlParameters(documentId),
		});

		expect(result.error).toBeUndefined();
		expect(result.items[0].json.url).toEqual(expect.any(String));
		expect(requestCount(world(), 'token')).toBe(1);
		expect(requestCount(world(), 'link')).toBe(2);
	});

	it.each(['prepare', 'move', 'link'] as const)(
		'twice on %s fails with an error saying the credential or its scopes are wrong',
		async (kind) => {
			world().sandbox.injectFault({ kind, status: 401, count: 2 });

			const result =
				kind === 'link'
					? await world().runNode({
							items: [{ json: {} }],
							parameters: downloadUrlParameters(documentId),
						})
					: await upload();

			const step = { prepare: 'prepare', move: 'register', link: 'download link' }[kind];
			expect(errorMessage(result)).toBe(
				`PageUp ${step} step failed (HTTP 401): ` +
					'Authorization has been denied for this request.',
			);
			expect(errorDescription(result)).toContain(
				'PageUp rejected the access token even after it was renewed: check the ' +
					"credential's environment and tenant, and that its scopes include",
			);
			expect(requestCount(world(), kind)).toBe(2);
			expect(requestCount(world(), 'token')).toBe(1);
		},
	);

	it('that lacks the write scope fails the upload with a 403 naming the scope', async () => {
		const result = await runWithCredential(
			world(),
			{ scopes: 'Public.Document.Read' },
			{ items: [fileItem('cv.txt', 'a resume')], parameters: uploadParameters() },
		);

		expect(errorMessage(result)).toBe(
			'PageUp prepare step failed (HTTP 403): The access token lacks the scope ' +
				'Public.Document.Write this call requires.',
		);
		expect(errorDescription(result)).toContain('Ask PageUp to grant this client the scope');
		expect(requestCount(world(), 'prepare')).toBe(1);
	});
});
