// Clients that stream page writes and remember which ones the server acknowledged, for the crash and outage tests.

/** The page each write sends: large enough that a torn write would show. */
export function pageBody(id: string, seq: number): Record<string, unknown> {
  return { id, summary: `streamed write ${seq}`, info: `${id} `.repeat(100), measurements: [{ hr: seq % 200 }] };
}

/** Sends one write; resolves with the status, or null when no answer came (connection reset, closed, timed out). */
export type SendWrite = (id: string, body: Record<string, unknown>) => Promise<number | null>;

export interface StreamResult {
  /** Answered 2xx: each must be stored, exactly as sent. */
  acknowledged: Map<string, Record<string, unknown>>;
  /** Sent and answered otherwise (or not at all): each may or may not be stored, but whole if it is. */
  unknown: Map<string, Record<string, unknown>>;
  statuses: Record<string, number>;
}

export interface WriteStream {
  /** Acknowledged writes so far. */
  count(): number;
  /** Stops the clients after the writes in flight end, and says what happened to each. */
  stop(): Promise<StreamResult>;
}

/** `clients` loops, each sending page writes one after another until stopped. */
export function streamWrites(send: SendWrite, prefix: string, clients = 4): WriteStream {
  const result: StreamResult = { acknowledged: new Map(), unknown: new Map(), statuses: {} };
  let running = true;
  let seq = 0;
  const loop = async (client: number) => {
    while (running) {
      const n = seq++;
      const id = `${prefix}-${client}-${n}`;
      const body = pageBody(id, n);
      const status = await send(id, body);
      const key = status === null ? 'no answer' : String(status);
      result.statuses[key] = (result.statuses[key] ?? 0) + 1;
      if (status !== null && status >= 200 && status < 300) result.acknowledged.set(id, body);
      else result.unknown.set(id, body);
      // A server that is gone answers at once: do not spin.
      if (status === null || status >= 500) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const loops = Array.from({ length: clients }, (_, i) => loop(i));
  return {
    count: () => result.acknowledged.size,
    async stop() {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}

/** Resolves once `predicate` holds, polling every 20 ms; rejects after `ms`. */
export async function until(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Compares what the server stores with what was sent: every acknowledged write is there and
 * whole, and every other write that is there is whole too. Returns how many of each were found.
 */
export function checkStored(
  stored: Map<string, Record<string, unknown>>,
  sent: StreamResult,
): { acknowledgedFound: number; unknownFound: number; problems: string[] } {
  const problems: string[] = [];
  const same = (a: Record<string, unknown>, b: Record<string, unknown>) =>
    Object.keys(a).every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]));
  let acknowledgedFound = 0;
  let unknownFound = 0;
  for (const [id, body] of sent.acknowledged) {
    const page = stored.get(id);
    if (!page) problems.push(`acknowledged ${id} is missing`);
    else if (!same(body, page)) problems.push(`acknowledged ${id} differs: ${JSON.stringify(page).slice(0, 200)}`);
    else acknowledgedFound++;
  }
  for (const [id, body] of sent.unknown) {
    const page = stored.get(id);
    if (!page) continue;
    if (!same(body, page)) problems.push(`unacknowledged ${id} is stored half-written: ${JSON.stringify(page).slice(0, 200)}`);
    else unknownFound++;
  }
  return { acknowledgedFound, unknownFound, problems };
}
