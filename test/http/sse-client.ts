// A Server-Sent Events client for the tests: opens a stream over a real socket and parses its events as they arrive.
import { request, type IncomingMessage } from 'node:http';

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
  /** When it arrived (Date.now()), for the latency figures. */
  at?: number;
}

export interface SseStream {
  status: number;
  headers: IncomingMessage['headers'];
  events: SseEvent[];
  /** Comment lines (": heartbeat") and fields other than id/event/data (retry). */
  comments: string[];
  fields: string[];
  /** Resolves once `count` events have arrived in all (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<SseEvent[]>;
  /** Resolves once the server has ended the stream. */
  ended: Promise<void>;
  close(): void;
}

export function openStream(url: string, headers: Record<string, string>): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      const fields: string[] = [];
      let waiters: (() => void)[] = [];
      let buffer = '';
      let current: SseEvent = { data: '' };
      let dataLines: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (dataLines.length > 0) {
              events.push({ ...current, data: dataLines.join('\n'), at: Date.now() });
              for (const wake of waiters) wake();
            }
            current = { data: '' };
            dataLines = [];
          } else if (line.startsWith(':')) comments.push(line.slice(1).trim());
          else {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') current.id = value;
            else if (field === 'event') current.event = value;
            else if (field === 'data') dataLines.push(value);
            else fields.push(`${field}: ${value}`);
          }
        }
      });
      const ended = new Promise<void>((done) => res.on('close', done));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments,
        fields,
        ended,
        waitFor(count, timeoutMs = 10_000) {
          return new Promise((done, fail) => {
            const check = () => {
              if (events.length < count) return false;
              clearTimeout(timer);
              waiters = waiters.filter((w) => w !== check);
              done(events.slice(0, count));
              return true;
            };
            const timer = setTimeout(() => fail(new Error(`only ${events.length} of ${count} events in ${timeoutMs} ms`)), timeoutMs);
            if (!check()) waiters.push(check);
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
