/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	testTimeout: 120000,
	// Each file runs n8n's engine with its own binary-data folder; two at a time suits 2 cores.
	maxWorkers: 2,
	// n8n-core's execution engine leaves timers behind that would keep a worker alive.
	forceExit: true,
};
