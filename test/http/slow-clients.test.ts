// Overload shed, not suffered: 200 clients trickling one byte a second do not stop normal requests, and are cut off by the header and request timeouts; an error answered before the body closes the connection.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { ANA, asAna, basic, eachBackend, useApp } from '../helper.ts';

const HEADERS_TIMEOUT_MS = 8000;
const REQUEST_TIMEOUT_MS = 10_000;

interface Trickler {
  /** What the server sent before it closed the socket, and when it closed it (ms after the start). */
  closed: Promise<{ answer: string; afterMs: number }>;
  stop(): void;
}

/** Sends `head` at once, then `trickle` one byte a second, until the server closes the socket. */
function trickler(port: number, head: string, trickle: string): Trickler {
  const started = performance.now();
  const socket: Socket = connect(port, '127.0.0.1');
  let answer = '';
  let timer: NodeJS.Timeout | undefined;
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  socket.on('error', () => {});
  socket.on('connect', () => {
    socket.write(head);
    let i = 0;
    timer = setInterval(() => {
      if (!socket.destroyed && i < trickle.length) socket.write(trickle[i++]);
    }, 1000);
  });
  const closed = new Promise<{ answer: string; afterMs: number }>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, afterMs: performance.now() - started });
    }),
  );
  return { closed, stop: () => socket.destroy() };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Reads four at a time for `ms`: the statuses, and the latencies (reported, never asserted: the machine is shared). */
async function reads(read: () => Promise<Response>, ms: number) {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        const res = await read();
        await res.arrayBuffer();
        latencies.push(performance.now() - started);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const ms1 = (v: number) => `${v.toFixed(1)} ms`;
  const summary = `${latencies.length} reads, p50 ${ms1(percentile(latencies, 50))}, p99 ${ms1(percentile(latencies, 99))}, max ${ms1(latencies[latencies.length - 1])}`;
  return { statuses, summary };
}

eachBackend('slow clients', (backend) => {
  const ctx = useApp(backend, {
    THALAMUS_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    THALAMUS_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  });

  test('200 clients sending a byte a second: person reads are served meanwhile, and every slow client is cut off with 408', async (t: TestContext) => {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (ctx.app.server.address() as { port: number }).port;
    const auth = `Authorization: ${basic(ANA.id, ANA.password)}\r\n`;
    const read = () => fetch(`http://127.0.0.1:${port}/people/ESPGNU777ORG`, { headers: asAna });
    // Ana's password is verified once (bcrypt) before the slow clients come, as a signed-in client's would be.
    assert.equal((await read()).status, 200);
    const baseline = (await reads(read, 2000)).summary;
    const slow = [
      // Headers that never end (slowloris).
      ...Array.from({ length: 150 }, () =>
        trickler(port, 'GET /people/ESPGNU777ORG HTTP/1.1\r\nHost: x\r\n', 'X-Slow: aaaaaaaaaaaaaaaaaaaa'),
      ),
      // A body that never ends, from a signed-in client.
      ...Array.from({ length: 50 }, (_, i) =>
        trickler(
          port,
          `PATCH /people/ESPGNU777ORG HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n`,
          `{"slow_${i}": "${'a'.repeat(80)}"}`,
        ),
      ),
    ];
    try {
      // Once every slow client is connected and trickling: normal reads, four at a time, for 6 s.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const { statuses, summary } = await reads(read, 6000);
      t.diagnostic(`person reads beside 200 slow clients: ${summary}; alone, before: ${baseline}`);
      assert.deepEqual(Object.keys(statuses), ['200']);

      const ends = await Promise.all(slow.map((s) => s.closed));
      const headerEnds = ends.slice(0, 150);
      const bodyEnds = ends.slice(150);
      const slowest = (list: typeof ends) => Math.max(...list.map((e) => e.afterMs));
      t.diagnostic(
        `trickled headers cut off after ${(slowest(headerEnds) / 1000).toFixed(1)} s at most, trickled bodies after ${(slowest(bodyEnds) / 1000).toFixed(1)} s`,
      );
      for (const end of ends) {
        assert.match(end.answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
        assert.ok(end.answer.endsWith('{"error":"The request was not received in time"}'), end.answer);
      }
      // Nothing of the trickled bodies was applied.
      const person = (await ctx.app.inject({ method: 'GET', url: '/people/ESPGNU777ORG', headers: asAna })).json<Record<string, unknown>>();
      assert.deepEqual(
        Object.keys(person).filter((key) => key.startsWith('slow_')),
        [],
      );
    } finally {
      for (const s of slow) s.stop();
    }
  });

  test('a body refused before it is read (401) closes the connection at once, however slowly the rest would come', async () => {
    const port = (ctx.app.server.address() as { port: number }).port;
    const refused = trickler(
      port,
      `PATCH /people/ESPGNU777ORG HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(ANA.id, 'wrong password')}\r\nContent-Length: 1000\r\n\r\n{`,
      'a'.repeat(999),
    );
    const { answer, afterMs } = await refused.closed;
    assert.match(answer, /^HTTP\/1\.1 401 Unauthorized\r\n/);
    assert.match(answer, /\r\nconnection: close\r\n/i);
    assert.ok(afterMs < REQUEST_TIMEOUT_MS, `closed after ${afterMs} ms, not by the request timeout`);
  });
});
