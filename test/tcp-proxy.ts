// A TCP proxy in front of PostgreSQL that a test can cut, stall and restore: outages without touching the shared server.
import { connect, createServer, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket | null;
  /** Bytes are read and dropped both ways: the sockets stay open, nothing gets through. */
  stalled: boolean;
}

export interface TcpProxy {
  /** The PostgreSQL URL rewritten to go through the proxy. */
  url: string;
  /** Every connection is reset, and new ones are reset as they arrive (a database that went away). */
  cut(): void;
  /** Open connections and new ones stay open but carry nothing (a network that black-holes). */
  stall(): void;
  /** New connections are forwarded again; stalled ones stay stalled, as a black-holed socket does. */
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const host = target.hostname;
  const port = Number(target.port || 5432);
  let mode: 'pass' | 'stall' | 'cut' = 'pass';
  const pairs = new Set<Pair>();

  const server: Server = createServer((client) => {
    if (mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: null, stalled: mode === 'stall' };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on('error', end).on('close', end);
    if (pair.stalled) {
      client.on('data', () => {});
      return;
    }
    const upstream = connect(port, host);
    pair.upstream = upstream;
    upstream.on('error', end).on('close', end);
    client.on('data', (chunk) => void (pair.stalled || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (pair.stalled || client.write(chunk)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the proxy has no port');
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(address.port);

  return {
    url: url.toString(),
    cut() {
      mode = 'cut';
      for (const pair of pairs) {
        pair.client.resetAndDestroy();
        pair.upstream?.destroy();
      }
      pairs.clear();
    },
    stall() {
      mode = 'stall';
      for (const pair of pairs) pair.stalled = true;
    },
    restore() {
      mode = 'pass';
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
