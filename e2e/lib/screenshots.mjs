// Headless Chromium (Debian's, driven by playwright-core) in a real n8n editor: signs in, opens
// a node's parameter panel and screenshots it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

import { atExit } from './processes.mjs';

export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

const VIEWPORT = { width: 1280, height: 800 };

/**
 * Opens a browser signed in to the editor at `baseUrl`; `use(page)` runs with it, then the
 * browser and its profile folder are removed.
 */
export async function withEditorPage({ baseUrl, owner, timeoutMs = 60_000 }, use) {
	const profile = mkdtempSync(join(tmpdir(), 'n8n-e2e-chromium-'));
	const removeProfile = () => rmSync(profile, { recursive: true, force: true });
	const cancelRemoval = atExit(removeProfile);
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		args: CHROMIUM_ARGS,
		headless: true,
		viewport: VIEWPORT,
		timeout: timeoutMs,
	});
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		page.setDefaultTimeout(timeoutMs);
		await page.goto(`${baseUrl}/signin`);
		await page.locator('input[type="email"], input[name="email"]').first().fill(owner.email);
		await page.locator('input[type="password"]').first().fill(owner.password);
		await page.keyboard.press('Enter');
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
		return await use(page);
	} finally {
		await context.close();
		cancelRemoval();
		removeProfile();
	}
}

/**
 * Opens the workflow's node `nodeId` by its URL, waits for its parameter panel and saves a
 * screenshot of the panel to `file`. Returns the panel's text.
 */
export async function screenshotNodePanel(page, { baseUrl, workflowId, nodeId, file }) {
	await page.goto(`${baseUrl}/workflow/${workflowId}/${nodeId}`);
	const panel = page.locator('[data-test-id="ndv"]').first();
	const parameters = page.locator('[data-test-id="node-parameters"]').first();
	await parameters.waitFor({ state: 'visible' });
	// Let the icons, fonts and the panel's open animation settle.
	await page.waitForLoadState('networkidle');
	await page.waitForTimeout(1_000);
	const text = await panel.innerText();
	await page.screenshot({ path: file, animations: 'disabled' });
	return text;
}
