import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

import { startSandbox } from '../../sandbox';
import type { SandboxOptions } from '../../sandbox';
import { accessToken, portOf, uploadDocument } from './helpers';

function canConnect(host: string, port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect({ host, port, timeout: 1000 });
		socket.on('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.on('error', () => resolve(false));
		socket.on('timeout', () => {
			socket.destroy();
			resolve(false);
		});
	});
}

/** Every address of this machine a server on all interfaces would answer on, but 127.0.0.1. */
function otherAddresses(): string[] {
	const interfaceAddresses = Object.values(networkInterfaces())
		.flat()
		.filter((entry) => entry !== undefined && entry.family === 'IPv4')
		.map((entry) => entry?.address ?? '');
	// On Linux all of 127/8 reaches the loopback device, so a wildcard listener answers here.
	return [...new Set(['127.0.0.2', ...interfaceAddresses])].filter((a) => a !== '127.0.0.1');
}

describe('the sandbox on the network', () => {
	it('listens on 127.0.0.1 only, for the API and the S3 store', async () => {
		const sandbox = await startSandbox();
		try {
			const ports = [portOf(sandbox.apiUrl), portOf(sandbox.s3Url)];

			expect(new URL(sandbox.apiUrl).hostname).toBe('127.0.0.1');
			expect(new URL(sandbox.s3Url).hostname).toBe('127.0.0.1');
			for (const port of ports) {
				expect(await canConnect('127.0.0.1', port)).toBe(true);
				for (const address of otherAddresses()) {
					expect({ address, port, reachable: await canConnect(address, port) }).toEqual({
						address,
						port,
						reachable: false,
					});
				}
			}
		} finally {
			await sandbox.close();
		}
	});

	it('refuses to listen anywhere else', async () => {
		const options = { host: '0.0.0.0' } as unknown as SandboxOptions;

		await expect(startSandbox(options)).rejects.toThrow(/127\.0\.0\.1 only/);
	});

	it('refuses a port that is taken', async () => {
		const first = await startSandbox();
		try {
			await expect(startSandbox({ apiPort: portOf(first.apiUrl) })).rejects.toThrow(/EADDRINUSE/);
		} finally {
			await first.close();
		}
	});

	it('refuses an unknown option instead of ignoring it', async () => {
		const options = { latencyMS: 100 } as unknown as SandboxOptions;

		await expect(startSandbox(options)).rejects.toThrow(/Unknown sandbox setting "latencyMS"/);
	});
});

describe('the data directory', () => {
	it('is a temporary one by default, removed on close', async () => {
		const sandbox = await startSandbox();
		const token = await accessToken(sandbox);
		await uploadDocument(sandbox, token, 'cv.pdf', Buffer.from('cv'));
		const dataDir = sandbox.dataDir;
		const existedWhileRunning = existsSync(dataDir);

		await sandbox.close();

		expect(existedWhileRunning).toBe(true);
		expect(existsSync(dataDir)).toBe(false);
	});

	it('keeps a given directory and the bytes in it after close', async () => {
		const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-spec-'));
		try {
			const sandbox = await startSandbox({ dataDir });
			const token = await accessToken(sandbox);
			await uploadDocument(sandbox, token, 'cv.pdf', Buffer.from('cv'));

			await sandbox.close();

			expect(readdirSync(join(dataDir, 'objects'))).toHaveLength(1);
			expect(readdirSync(join(dataDir, 'incoming'))).toHaveLength(0);
		} finally {
			rmSync(dataDir, { recursive: true, force: true });
		}
	});

	it('can be closed twice', async () => {
		const sandbox = await startSandbox();

		await sandbox.close();

		await expect(sandbox.close()).resolves.toBeUndefined();
	});
});
