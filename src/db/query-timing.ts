// How long each query took, told to whoever listens (the metrics); nothing is measured while no one does.

/** Told the duration of every query, for the metrics (registered by whoever wants them; none by default). */
export type QueryObserver = (seconds: number, failed: boolean) => void;
const queryObservers = new Set<QueryObserver>();

/** Starts telling `observer` each query's duration; returns the function that stops it. */
export function observeQueries(observer: QueryObserver): () => void {
  queryObservers.add(observer);
  return () => queryObservers.delete(observer);
}

/** Runs one query, timing it when anyone listens. */
export async function timed<T>(run: () => Promise<T>): Promise<T> {
  if (queryObservers.size === 0) return run();
  const start = process.hrtime.bigint();
  let failed = false;
  try {
    return await run();
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    for (const observe of queryObservers) observe(seconds, failed);
  }
}
