import { config } from '@n8n/node-cli/eslint';

// n8n's own community-node rules, exactly as `n8n-node lint` applies them, for the shipped code;
// the sandbox, runner, benchmarks and tests are development tools that never reach n8n.
export default [
	...config,
	{
		ignores: ['sandbox/**', 'runner/**', 'bench/**', 'test/**', 'e2e/**', 'examples/**', 'dist/**'],
	},
];
