import { accessToken, downloadLink, uploadDocument, useSandbox } from './helpers';

interface LinkAnswer {
	downloadUrl: string;
	urlExpiration: string;
	documentId: number;
	fileName: string;
}

describe('the download link', () => {
	const sandbox = useSandbox();
	let token: string;
	let documentId: number;

	beforeEach(async () => {
		token = await accessToken(sandbox());
		documentId = await uploadDocument(sandbox(), token, 'cv.pdf', Buffer.from('cv'));
	});

	function expiresOf(answer: LinkAnswer): string | null {
		return new URL(answer.downloadUrl).searchParams.get('X-Amz-Expires');
	}

	it('answers a presigned GET URL that lives 60 seconds unless told otherwise', async () => {
		const before = Date.now();

		const response = await downloadLink(sandbox(), token, documentId);

		expect(response.status).toBe(200);
		const answer = (await response.json()) as LinkAnswer;
		expect(answer).toEqual({
			downloadUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/pageup-sandbox-documents\//),
			urlExpiration: expect.any(String),
			documentId,
			fileName: 'cv.pdf',
		});
		expect(expiresOf(answer)).toBe('60');
		const expiresAt = Date.parse(answer.urlExpiration);
		expect(expiresAt).toBeGreaterThan(before + 58_000);
		expect(expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
	});

	it.each(['10', '300'])(
		'accepts expiresInSeconds=%s and signs the URL for it',
		async (seconds) => {
			const response = await downloadLink(sandbox(), token, documentId, seconds);

			expect(response.status).toBe(200);
			expect(expiresOf((await response.json()) as LinkAnswer)).toBe(seconds);
		},
	);

	it.each(['9', '301', '60.5', 'abc', '', '-20'])(
		'refuses expiresInSeconds=%p with 400 naming expiresInSeconds',
		async (seconds) => {
			const response = await downloadLink(sandbox(), token, documentId, seconds);

			expect(response.status).toBe(400);
			expect(await response.json()).toEqual([
				{ message: expect.stringContaining('10 to 300'), field: 'expiresInSeconds' },
			]);
		},
	);

	it.each(['abc', '0', '1.5', '-1001'])('refuses documentId %p with 400', async (id) => {
		const response = await downloadLink(sandbox(), token, id);

		expect(response.status).toBe(400);
		expect(await response.json()).toEqual([{ message: expect.any(String), field: 'documentId' }]);
	});

	it('answers an unknown document with 404 and a JSON array', async () => {
		const response = await downloadLink(sandbox(), token, 999999);

		expect(response.status).toBe(404);
		expect(await response.json()).toEqual([{ message: 'Document 999999 was not found.' }]);
	});

	it('names the URL field as set, for clients that must cope with either', async () => {
		sandbox().setOptions({ downloadUrlField: 'url' });

		const answer = (await (await downloadLink(sandbox(), token, documentId)).json()) as Record<
			string,
			unknown
		>;

		expect(answer.url).toEqual(expect.stringContaining('X-Amz-Signature='));
		expect(answer.downloadUrl).toBeUndefined();
	});
});
