// The delivery scenario: page writes under load while 10 subscribers follow GET /changes/stream; changes per second through the streams and the worst write-to-delivery latency.
import { randomUUID } from 'node:crypto';
import { request, type ClientRequest } from 'node:http';
import type autocannon from 'autocannon';
import { LISTER, PASSWORD, READER } from './database.ts';
import { measure } from './load.ts';
import { basic, pageBody, type Row, type RunOptions } from './scenarios.ts';

export const SUBSCRIBERS = 10;
/** After the writes stop, how long the streams get to deliver the rest. */
const DRAIN_MS = 30_000;

interface Subscriber {
  /** Page id -> when its change first arrived; and how many arrived more than once. */
  arrived: Map<string, number>;
  duplicates: number;
  close(): void;
}

/** One stream of page changes, as root (every change), recording when each one arrives. */
function subscribe(url: string): Promise<Subscriber | number> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined = undefined;
    req = request(
      `${url}/changes/stream?resource=pols`,
      { headers: { accept: 'text/event-stream', authorization: basic(LISTER, PASSWORD) }, agent: false },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return resolve(res.statusCode ?? 0);
        }
        const s: Subscriber = { arrived: new Map(), duplicates: 0, close: () => req?.destroy() };
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const now = Date.now();
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
            buffer = buffer.slice(end + 2);
            if (data === undefined) continue;
            const id = String((JSON.parse(data) as { id: unknown }).id);
            if (s.arrived.has(id)) s.duplicates++;
            else s.arrived.set(id, now);
          }
        });
        res.on('error', () => {});
        resolve(s);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export async function delivery(url: string, o: RunOptions): Promise<Row> {
  const scenario = `page write, ${SUBSCRIBERS} stream subscribers`;
  const subscribers: Subscriber[] = [];
  try {
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const s = await subscribe(url);
      if (typeof s === 'number') return { key: 'delivery', scenario, skipped: `GET /changes/stream answered ${s}` };
      subscribers.push(s);
    }
    const sentAt = new Map<string, number>();
    const setupRequest = (req: autocannon.Request): autocannon.Request => {
      const id = randomUUID();
      sentAt.set(id, Date.now());
      return { ...req, method: 'POST', path: `/pols/${READER}/${id}`, body: pageBody(id) };
    };
    const started = Date.now();
    const writes = await measure(
      {
        url,
        connections: o.connections,
        duration: o.durationSec,
        headers: { authorization: basic(READER, PASSWORD) },
        requests: [{ setupRequest }],
      },
      0,
    );
    // autocannon does not count the requests still under way when it stops; their changes arrive too.
    const acknowledged = writes.total - writes.non2xx - writes.errors;
    const deadline = Date.now() + DRAIN_MS;
    while (Date.now() < deadline && subscribers.some((s) => s.arrived.size < acknowledged)) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    const written = Math.max(acknowledged, new Set(subscribers.flatMap((s) => [...s.arrived.keys()])).size);
    const delays: number[] = [];
    let lastArrival = started;
    for (const s of subscribers) {
      for (const [id, at] of s.arrived) {
        const sent = sentAt.get(id);
        if (sent !== undefined) delays.push(at - sent);
        lastArrival = Math.max(lastArrival, at);
      }
    }
    delays.sort((a, b) => a - b);
    const delivered = subscribers.reduce((n, s) => n + s.arrived.size, 0);
    const duplicates = subscribers.reduce((n, s) => n + s.duplicates, 0);
    const missing = subscribers.reduce((n, s) => n + Math.max(0, written - s.arrived.size), 0);
    const perSec = Math.round(delivered / ((lastArrival - started) / 1000));
    const worst = delays.at(-1) ?? 0;
    const p99 = delays[Math.floor(delays.length * 0.99)] ?? 0;
    return {
      key: 'delivery',
      scenario,
      requestsPerSec: writes.requestsPerSec,
      p50Ms: writes.p50Ms,
      p99Ms: writes.p99Ms,
      note: `${written} changes written, ${delivered} delivered (${perSec}/s through the streams), duplicates ${duplicates}, missing ${missing}; write-to-delivery p99 ${p99} ms, worst ${worst} ms`,
      detail: { ...writes, written, delivered, deliveredPerSec: perSec, duplicates, missing, deliveryP99Ms: p99, deliveryWorstMs: worst },
    };
  } finally {
    for (const s of subscribers) s.close();
  }
}
