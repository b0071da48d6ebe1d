// The options that both operations share: concurrency, retries and timeouts.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { wholeNumberInRange } from '../helpers/validate';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../transport/retry';

// Four lanes keep about 90% of their ideal speed-up at 20 ms a call, eight only about 75% (bench
// scenario 3): past four, each lane buys less while adding load against PageUp's unpublished
// rate limits. The property below repeats the number as a literal for n8n's lint; keep them equal.
export const DEFAULT_CONCURRENCY = 4;

export const description: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 32, numberPrecision: 0 },
			default: 4,
			description:
				'How many items to send to PageUp at the same time. The output keeps the input order.',
		},
		{
			displayName: 'Max Attempts',
			name: 'maxAttempts',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10, numberPrecision: 0 },
			default: 4,
			description:
				'Attempts per request, the first included, when PageUp is busy (429), failing (5xx) or unreachable',
		},
		{
			displayName: 'Max Retry Wait (Seconds)',
			name: 'maxRetryWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 3600, numberPrecision: 0 },
			default: 60,
			description:
				"The most time spent waiting between the attempts of one request, in all. Retries stop once it is used up, or at once when PageUp's Retry-After asks for longer.",
		},
		{
			displayName: 'Request Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 3600, numberPrecision: 0 },
			default: 60,
			description:
				'How long to wait for each PageUp answer. Uploads get one more second per MiB of the file.',
		},
	],
};

export interface RunOptions {
	concurrency: number;
	retry: RetryPolicy;
	timeoutMs: number;
}

export function readOptions(this: IExecuteFunctions): RunOptions {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const valueOf = (name: string, label: string, min: number, max: number, fallback: number) =>
		wholeNumberInRange(options[name] ?? fallback, label, min, max);

	return {
		concurrency: valueOf('concurrency', 'Concurrency', 1, 32, DEFAULT_CONCURRENCY),
		retry: {
			...DEFAULT_RETRY_POLICY,
			maxAttempts: valueOf('maxAttempts', 'Max Attempts', 1, 10, DEFAULT_RETRY_POLICY.maxAttempts),
			maxWaitMs:
				1000 *
				valueOf(
					'maxRetryWaitSeconds',
					'Max Retry Wait (Seconds)',
					0,
					3600,
					DEFAULT_RETRY_POLICY.maxWaitMs / 1000,
				),
		},
		timeoutMs: 1000 * valueOf('timeoutSeconds', 'Request Timeout (Seconds)', 1, 3600, 60),
	};
}
