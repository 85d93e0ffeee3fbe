// LISTEN on PostgreSQL: a connection of its own outside the pool, held for good, reconnected when lost.
import pg from 'pg';

/** Channel names are written into LISTEN itself (it takes no parameters): plain identifiers only. */
export function checkChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  return channel;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Listens on `channel` with a dedicated client: a pooled connection would be handed back and
 * its LISTEN lost (PostgreSQL docs, LISTEN: "a session's listen registrations are released
 * when the session ends"). A lost connection is replaced with exponential backoff; since
 * notifications sent meanwhile are lost, onNotify is also called each time listening
 * (re)starts, so the caller reads what it may have missed. Never throws.
 */
export function listenPg(url: string, channel: string, onNotify: () => void): () => Promise<void> {
  let client: pg.Client | null = null;
  let stopped = false;
  let delay = FIRST_RETRY_MS;
  let timer: NodeJS.Timeout | undefined;
  const retry = () => {
    if (stopped) return;
    timer = setTimeout(() => void connect(), delay);
    timer.unref();
    delay = Math.min(delay * 2, MAX_RETRY_MS);
  };
  const connect = async () => {
    // Keepalive: a server that vanished without a FIN is noticed, and the client replaced.
    const c = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    c.on('notification', (message) => {
      if (message.channel === channel) onNotify();
    });
    // An error ends the connection; 'end' then schedules the next one.
    c.on('error', () => {});
    c.on('end', () => {
      if (client !== c) return;
      client = null;
      retry();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch {
      await c.end().catch(() => {});
      retry();
      return;
    }
    if (stopped) return void (await c.end().catch(() => {}));
    client = c;
    delay = FIRST_RETRY_MS;
    onNotify();
  };
  void connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    const c = client;
    client = null;
    await c?.end().catch(() => {});
  };
}
