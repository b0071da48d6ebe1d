import { accessToken, requestToken, uploadDocument, useSandbox } from './helpers';

describe('the HTTP control routes', () => {
	const sandbox = useSandbox();

	function control(path: string, init: { method?: string; json?: unknown } = {}) {
		return fetch(`${sandbox().apiUrl}/__sandbox${path}`, {
			method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
			headers: init.json === undefined ? {} : { 'Content-Type': 'application/json' },
			body: init.json === undefined ? undefined : JSON.stringify(init.json),
		});
	}

	it('GET /stats reports the counters, and POST /reset zeroes them', async () => {
		await accessToken(sandbox());

		const before = await (await control('/stats')).json();
		const reset = await control('/reset', { method: 'POST' });
		const after = await (await control('/stats')).json();

		expect(before).toMatchObject({ tokenRequests: 1, tokensIssued: 1 });
		expect(reset.status).toBe(204);
		expect(after).toMatchObject({ tokenRequests: 0, tokensIssued: 0 });
	});

	it('are neither counted nor logged', async () => {
		await control('/stats');
		await control('/documents');

		expect(sandbox().requests()).toEqual([]);
		expect(sandbox().stats().maxInFlight).toBe(0);
	});

	it('POST /options changes settings and answers them; a bad one is refused with 400', async () => {
		const changed = await control('/options', { json: { latencyMs: 5, tokenLifetimeSeconds: 60 } });
		const refused = await control('/options', { json: { tokenLifetimeSeconds: 'long' } });
		const unknown = await control('/options', { json: { colour: 'red' } });

		expect(changed.status).toBe(200);
		expect(await changed.json()).toMatchObject({ latencyMs: 5, tokenLifetimeSeconds: 60 });
		expect(sandbox().settings()).toMatchObject({ latencyMs: 5, tokenLifetimeSeconds: 60 });
		expect(refused.status).toBe(400);
		expect(await refused.json()).toEqual({
			error: expect.stringContaining('tokenLifetimeSeconds'),
		});
		expect(unknown.status).toBe(400);
		expect(await (await control('/options')).json()).toMatchObject({ tokenLifetimeSeconds: 60 });
	});

	it('POST /revoke makes issued tokens answer 401', async () => {
		const token = await accessToken(sandbox());

		await control('/revoke', { method: 'POST' });

		const response = await fetch(`${sandbox().apiRootUrl}/1001`, {
			headers: { Authorization: `Bearer ${token}` },
		});
		expect(response.status).toBe(401);
	});

	it('POST /faults arms faults, GET lists them, DELETE clears them', async () => {
		const armed = await control('/faults', {
			json: [
				{ kind: 'token', status: 503, count: 2 },
				{ kind: 'move', status: 500, afterEffect: true },
			],
		});
		const first = await requestToken(sandbox());
		const listed = await (await control('/faults')).json();
		const cleared = await control('/faults', { method: 'DELETE' });
		const afterClear = await requestToken(sandbox());

		expect(armed.status).toBe(204);
		expect(first.status).toBe(503);
		expect(listed).toEqual([
			{ spec: { kind: 'token', status: 503, count: 2 }, remaining: 1 },
			{ spec: { kind: 'move', status: 500, afterEffect: true }, remaining: 1 },
		]);
		expect(cleared.status).toBe(204);
		expect(afterClear.status).toBe(200);
	});

	it('POST /faults arms nothing when one fault of several is bad', async () => {
		const refused = await control('/faults', {
			json: [{ kind: 'token', status: 503 }, { kind: 'nonsense' }],
		});

		expect(refused.status).toBe(400);
		expect(sandbox().pendingFaults()).toEqual([]);
	});

	it('GET /documents, /documents/:id and /documents/:id/content show what was stored', async () => {
		const token = await accessToken(sandbox());
		const bytes = Buffer.from('%PDF-1.7 stored bytes');
		const documentId = await uploadDocument(sandbox(), token, 'cv.pdf', bytes);

		const list = await (await control('/documents')).json();
		const record = (await (await control(`/documents/${documentId}`)).json()) as {
			sha256: string;
		};
		const content = await control(`/documents/${documentId}/content`);
		const missing = await control('/documents/9999');

		expect(list).toEqual([expect.objectContaining({ id: documentId, fileName: 'cv.pdf' })]);
		expect(record).toEqual(sandbox().document(documentId));
		expect(record.sha256).toMatch(/^[0-9a-f]{64}$/);
		expect(content.headers.get('content-type')).toBe('application/pdf');
		expect(Buffer.from(await content.arrayBuffer()).toString()).toBe(bytes.toString());
		expect(missing.status).toBe(404);
	});

	it('GET /requests and /credentials answer the log and the credential values', async () => {
		await accessToken(sandbox());

		const requests = await (await control('/requests')).json();
		const credentials = await (await control('/credentials')).json();

		expect(requests).toEqual([expect.objectContaining({ kind: 'token', status: 200 })]);
		expect(credentials).toEqual(sandbox().credentials);
	});

	it('answers an unknown control route with 404 and the list of routes', async () => {
		const response = await control('/nothing-here');

		expect(response.status).toBe(404);
		expect(await response.json()).toMatchObject({
			routes: expect.arrayContaining([expect.stringContaining('/__sandbox/stats')]),
		});
	});
});
