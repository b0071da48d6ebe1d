// The end-to-end harness: real n8n processes, headless runs, queue mode and the editor API.
export { cacheDir, isInstalled, loadLine, selectedLines, LINE_NAMES } from './lines.mjs';
export { createInstance, newId, N8nInstance, OWNER } from './n8n.mjs';
export { freePort, request, RestClient } from './net.mjs';
export { packPackage } from './package.mjs';
export { atExit, runCommand, startProcess, stopAll, stopProcess, waitFor } from './processes.mjs';
export { ExecutionResult, parseRunOutput } from './run-data.mjs';
export { startPostgres, startRedis } from './services.mjs';
