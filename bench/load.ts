// Load generation: autocannon runs summarised, a route probe, and a streaming download meter for big lists.
import { request } from 'node:http';
import autocannon from 'autocannon';
import type { CpuProbe, CpuUse } from './cpu.ts';

export interface LoadSummary {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  mbPerSec: number;
  total: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** CPU per request while it ran, when a probe was given. */
  cpu?: CpuUse | null;
}

export type LoadOptions = Omit<autocannon.Options, 'url'> & { url: string };

function summarise(result: autocannon.Result): LoadSummary {
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]));
  return {
    requestsPerSec: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    mbPerSec: Math.round((result.throughput.average / 1e6) * 10) / 10,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes,
  };
}

/** One autocannon run after a short unrecorded warm-up (JIT, connection pools, caches). */
export async function measure(options: LoadOptions, warmupSec = 1, cpu?: CpuProbe): Promise<LoadSummary> {
  if (warmupSec > 0) await autocannon({ ...options, duration: warmupSec });
  cpu?.start();
  const summary = summarise(await autocannon(options));
  return cpu ? { ...summary, cpu: cpu.stop(summary.total) } : summary;
}

/** Starts a run in the background (for the wrong-password flood that runs alongside another). */
export function background(options: LoadOptions): Promise<LoadSummary> {
  return autocannon(options).then(summarise);
}

/** The status one request gets, so a route that does not exist yet is skipped instead of measured. */
export async function probe(url: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(url, init);
  await res.arrayBuffer();
  return res.status;
}

/** The status of one GET sent on a connection of its own (closed after it), as a new client's would be. */
export function probeOnNewConnection(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface StreamSummary {
  mbPerSec: number;
  lists: number;
  secondsPerList: number;
  bytesPerList: number;
  firstByteMs: number;
  statusCodes: Record<string, number>;
}

function download(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; firstByteMs: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const firstByteMs = performance.now() - started;
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, firstByteMs }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Downloads a big collection whole, `connections` at a time, until `durationSec` has passed
 * (the lists under way are finished). autocannon counts bytes only of finished responses,
 * and a list of 100,000 people takes seconds, so this counts them as they arrive.
 */
export async function streamLists(
  url: string,
  headers: Record<string, string>,
  connections: number,
  durationSec: number,
): Promise<StreamSummary> {
  const started = performance.now();
  const deadline = started + durationSec * 1000;
  const done: { status: number; bytes: number; firstByteMs: number }[] = [];
  const loop = async () => {
    do done.push(await download(url, headers));
    while (performance.now() < deadline);
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const seconds = (performance.now() - started) / 1000;
  const bytes = done.reduce((sum, d) => sum + d.bytes, 0);
  const statusCodes: Record<string, number> = {};
  for (const d of done) statusCodes[d.status] = (statusCodes[d.status] ?? 0) + 1;
  return {
    mbPerSec: Math.round((bytes / 1e6 / seconds) * 10) / 10,
    lists: done.length,
    secondsPerList: Math.round(((seconds * connections) / done.length) * 100) / 100,
    bytesPerList: Math.round(bytes / done.length),
    firstByteMs: Math.round(done.reduce((sum, d) => sum + d.firstByteMs, 0) / done.length),
    statusCodes,
  };
}
