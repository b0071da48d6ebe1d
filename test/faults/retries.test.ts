import type { IDataObject } from 'n8n-workflow';

import { downloadUrlParameters, errorMessage, fileItem, uploadParameters } from '../support/pageup';
import { errorDescription, logLines, NO_WAIT, requestCount, useWorld } from './support';

const world = useWorld();

let documentId: number;

beforeAll(async () => {
	const result = await world().runNode({
		items: [fileItem('position.txt', 'senior engineer')],
		parameters: uploadParameters({ documentCategoryId: 14 }),
	});
	documentId = result.items[0].json.documentId as number;
});

async function upload(options: IDataObject = NO_WAIT) {
	return await world().runNode({
		items: [fileItem('cv.txt', 'a resume')],
		parameters: uploadParameters({ options }),
	});
}

async function downloadLink(options: IDataObject = NO_WAIT) {
	return await world().runNode({
		items: [{ json: {} }],
		parameters: downloadUrlParameters(documentId, { options }),
	});
}

const retryWarnings = () => logLines(world(), 'warn', 'PageUp request failed, retrying');

describe('a 429 from PageUp', () => {
	it('with Retry-After in seconds is retried after that wait, logged at warn', async () => {
		world().sandbox.injectFault({ kind: 'prepare', status: 429, headers: { 'Retry-After': '1' } });

		const result = await upload({ maxRetryWaitSeconds: 5 });

		expect(result.error).toBeUndefined();
		expect(requestCount(world(), 'prepare')).toBe(2);
		expect(retryWarnings().map(({ metadata }) => metadata)).toEqual([
			expect.objectContaining({
				step: 'prepare',
				status: 429,
				retryAfterSeconds: 1,
				delayMs: 1000,
			}),
		]);
	});

	it('with Retry-After as an HTTP date waits until that date, and no longer', async () => {
		const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
		world().sandbox.injectFault({
			kind: 'link',
			status: 429,
			headers: { 'Retry-After': inTwoSeconds },
		});

		const result = await downloadLink({ maxRetryWaitSeconds: 5 });

		expect(result.error).toBeUndefined();
		const [warning] = retryWarnings();
		expect(warning.metadata?.delayMs).toBeGreaterThan(500);
		expect(warning.metadata?.delayMs).toBeLessThanOrEqual(2000);
	});

	it('asking for a longer wait than Max Retry Wait fails at once, saying so', async () => {
		world().sandbox.injectFault({
			kind: 'prepare',
			status: 429,
			headers: { 'Retry-After': '3600' },
		});

		const result = await upload({ maxRetryWaitSeconds: 5 });

		expect(errorMessage(result)).toBe(
			"PageUp prepare step failed (HTTP 429: PageUp's daily request limit may be spent): " +
				'Daily rate limit exceeded.',
		);
		expect(errorDescription(result)).toContain(
			'PageUp asked to wait 3600 s (Retry-After) before trying again, more than the 5 s left ' +
				'of Max Retry Wait (Seconds), so it was not retried.',
		);
		expect(requestCount(world(), 'prepare')).toBe(1);
	});

	it('without Retry-After is retried with backoff until it goes through', async () => {
		world().sandbox.injectFault({ kind: 'prepare', status: 429, count: 2 });

		const result = await upload();

		expect(result.error).toBeUndefined();
		expect(requestCount(world(), 'prepare')).toBe(3);
		expect(retryWarnings()).toHaveLength(2);
	});

	it('that persists fails after Max Attempts, naming step, attempts, daily limit', async () => {
		world().sandbox.injectFault({ kind: 'prepare', status: 429, count: 10 });

		const result = await upload({ ...NO_WAIT, maxAttempts: 3 });

		expect(errorMessage(result)).toBe(
			"PageUp prepare step failed (HTTP 429: PageUp's daily request limit may be spent) " +
				'after 3 attempts: Daily rate limit exceeded.',
		);
		expect(errorDescription(result)).toContain('Prepare upload (prepareTempDirectUpload)');
		expect(requestCount(world(), 'prepare')).toBe(3);
		expect(retryWarnings()).toHaveLength(2);
		expect(logLines(world(), 'error', 'PageUp request failed')).toHaveLength(1);
	});
});

describe.each([500, 502, 503])('a %i from PageUp', (status) => {
	it('on prepare is retried, and the upload goes through', async () => {
		world().sandbox.injectFault({ kind: 'prepare', status, count: 2 });

		const result = await upload();

		expect(result.error).toBeUndefined();
		expect(requestCount(world(), 'prepare')).toBe(3);
		expect(retryWarnings().map(({ metadata }) => metadata?.status)).toEqual([status, status]);
	});

	it('on a download link is retried, and the link arrives', async () => {
		world().sandbox.injectFault({ kind: 'link', status, count: 1 });

		const result = await downloadLink();

		expect(result.items[0].json.url).toEqual(expect.any(String));
		expect(requestCount(world(), 'link')).toBe(2);
	});

	it("that persists fails after Max Attempts with step, status and PageUp's words", async () => {
		world().sandbox.injectFault({ kind: 'link', status, count: 10 });

		const result = await downloadLink({ ...NO_WAIT, maxAttempts: 2 });

		expect(errorMessage(result)).toMatch(
			new RegExp(`^PageUp download link step failed \\(HTTP ${status}\\) after 2 attempts: \\S`),
		);
		expect(errorDescription(result)).toBe('Get download link. PageUp is failing: try again later.');
		expect(requestCount(world(), 'link')).toBe(2);
	});
});

describe('the wait between attempts', () => {
	it('starts at half a second to a second, and in all never exceeds Max Retry Wait', async () => {
		world().sandbox.injectFault({ kind: 'link', status: 500, count: 10 });

		const result = await downloadLink({ maxRetryWaitSeconds: 1, maxAttempts: 10 });

		const delays = retryWarnings().map(({ metadata }) => metadata?.delayMs as number);
		expect(delays[0]).toBeGreaterThanOrEqual(500);
		expect(delays[0]).toBeLessThanOrEqual(1000);
		expect(delays.reduce((sum, delay) => sum + delay, 0)).toBe(1000);
		expect(requestCount(world(), 'link')).toBe(delays.length + 1);
		expect(errorDescription(result)).toContain(
			'Retries stopped once the Max Retry Wait of 1 s was spent.',
		);
	});

	it('is none with Max Retry Wait 0, while Max Attempts still bounds the attempts', async () => {
		world().sandbox.injectFault({ kind: 'link', status: 503, count: 10 });

		const result = await downloadLink({ maxRetryWaitSeconds: 0, maxAttempts: 4 });

		expect(retryWarnings().map(({ metadata }) => metadata?.delayMs)).toEqual([0, 0, 0]);
		expect(errorMessage(result)).toContain('after 4 attempts');
	});

	it('is not spent on a 400, which no repeat would change', async () => {
		world().sandbox.injectFault({ kind: 'link', status: 400 });

		const result = await downloadLink();

		expect(errorMessage(result)).toBe(
			'PageUp download link step failed (HTTP 400): The request is invalid.',
		);
		expect(requestCount(world(), 'link')).toBe(1);
		expect(retryWarnings()).toHaveLength(0);
	});
});
