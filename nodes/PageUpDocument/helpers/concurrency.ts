// Runs one task per item, a bounded number at a time, keeping the results in item order.

/**
 * The first item runs alone: it makes n8n fetch and store the access token, which every item
 * after it then reuses instead of each asking for its own. A task that throws stops new items
 * from starting; the ones already running finish before the error is passed on.
 */
export async function mapInOrder<T>(
	count: number,
	concurrency: number,
	task: (index: number) => Promise<T>,
): Promise<T[]> {
	const results: T[] = new Array<T>(count);
	if (count === 0) return results;
	results[0] = await task(0);

	let next = 1;
	let failure: { error: unknown } | undefined;
	const lane = async () => {
		while (failure === undefined && next < count) {
			const index = next++;
			try {
				results[index] = await task(index);
			} catch (error) {
				failure ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count - 1) }, lane));
	if (failure !== undefined) throw failure.error;
	return results;
}
