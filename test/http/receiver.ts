// A local webhook receiver for the tests: records every POST and answers as the test says (a status, or never).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface Received {
  delivery: string;
  event: string;
  signature: string;
  body: string;
  change: Record<string, unknown>;
  /** When it arrived (Date.now()). */
  at: number;
  /** What the receiver answered; null: it never did (a hung request). */
  status: number | null;
}

/** Answer with this status, or 'hang' to keep the request open without answering. */
export type Respond = (request: Received, index: number) => number | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  /** The changes acknowledged with a 2xx, in the order they were acknowledged. */
  acknowledged(): Record<string, unknown>[];
  until(what: string, ok: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The check a receiver makes (README, "How a node syncs"): HMAC-SHA256 of the raw body with the secret, compared in constant time. */
export function verifySignature(secret: string, body: string, header: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The delivery figures of a test: requests received, distinct changes, changes received more than once, and the worst delay from `sentAt` (the write's start, by change id) to arrival. */
export function deliveryFigures(received: readonly Received[], sentAt: ReadonlyMap<string, number>): string {
  const perChange = new Map<string, number>();
  for (const r of received) perChange.set(String(r.change.seq), (perChange.get(String(r.change.seq)) ?? 0) + 1);
  const duplicates = [...perChange.values()].filter((n) => n > 1).length;
  const firsts = new Map<string, number>();
  for (const r of received) if (!firsts.has(String(r.change.id))) firsts.set(String(r.change.id), r.at);
  const delays = [...firsts].filter(([id]) => sentAt.has(id)).map(([id, at]) => at - sentAt.get(id)!);
  return `written ${sentAt.size}, requests ${received.length}, changes delivered ${perChange.size}, duplicates ${duplicates}, worst write-to-delivery ${Math.max(0, ...delays)} ms`;
}

export async function startReceiver(respond: Respond = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const hung: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const entry: Received = {
        delivery: String(req.headers['x-thalamus-delivery']),
        event: String(req.headers['x-thalamus-event']),
        signature: String(req.headers['x-thalamus-signature']),
        body,
        change: JSON.parse(body) as Record<string, unknown>,
        at: Date.now(),
        status: null,
      };
      received.push(entry);
      const answer = respond(entry, received.length - 1);
      if (answer === 'hang') {
        hung.push(res);
        return;
      }
      entry.status = answer;
      res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    acknowledged: () => received.filter((r) => r.status !== null && r.status < 300).map((r) => r.change),
    async until(what, ok, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (received ${received.length})`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
