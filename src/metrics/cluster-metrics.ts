// Metrics across `serve --workers N`: a worker asked for /metrics gets every worker's, summed by the primary.
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry } from 'prom-client';

const ASK = 'thalamus:metrics?';
const ANSWER = 'thalamus:metrics';
const TIMEOUT_MS = 5000;

interface Answer {
  type: typeof ANSWER;
  id: string;
  text?: string;
  contentType?: string;
  error?: string;
}

let joined = false;

/**
 * In a worker: answers the primary's requests for this worker's metrics. prom-client adds that
 * listener only when an AggregatorRegistry is made, in the worker as in the primary.
 */
export function answerClusterRequests(): void {
  if (!cluster.isWorker || joined) return;
  joined = true;
  new AggregatorRegistry();
}

/** In the primary: answers workers' requests with the metrics of all workers (prom-client's AggregatorRegistry asks each over IPC). */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: string }) => {
    if (message?.type !== ASK || typeof message.id !== 'string') return;
    const id = message.id;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id, text, contentType: aggregator.contentType } satisfies Answer),
      (err: Error) => worker.send({ type: ANSWER, id, error: err.message } satisfies Answer),
    );
  });
}

/** In a worker: the whole cluster's metrics, from the primary. */
export function clusterMetrics(): Promise<{ text: string; contentType: string }> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const onMessage = (message: Answer) => {
      if (message?.type !== ANSWER || message.id !== id) return;
      done();
      if (message.error !== undefined || message.text === undefined) reject(new Error(message.error ?? 'no metrics'));
      else resolve({ text: message.text, contentType: message.contentType ?? 'text/plain' });
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('the primary did not answer'));
    }, TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    process.send?.({ type: ASK, id });
  });
}
