// The measured scenarios: each probes its route (skipped if absent), then loads it with autocannon.
import { randomUUID } from 'node:crypto';
import type autocannon from 'autocannon';
import { benchPersonId } from './seed.ts';
import { LISTER, PASSWORD, READER, READERS } from './database.ts';
import type { CpuProbe } from './cpu.ts';
import { background, measure, probe, probeOnNewConnection, streamLists, type LoadSummary } from './load.ts';

export interface Row {
  key: string;
  scenario: string;
  /** Why the scenario was not measured. */
  skipped?: string;
  requestsPerSec?: number;
  p50Ms?: number;
  p99Ms?: number;
  note?: string;
  detail?: Record<string, unknown>;
}

export interface RunOptions {
  durationSec: number;
  connections: number;
  listConnections: number;
  people: number;
  /** Counts the server's and PostgreSQL's CPU during each measured run. */
  cpu?: CpuProbe;
  /** Worker processes of the server under test (each has its own credential cache to warm). */
  workers?: number;
}

export const basic = (id: string, password: string) => `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}`;
const asReader = { authorization: basic(READER, PASSWORD) };

function row(key: string, scenario: string, s: LoadSummary, note = ''): Row {
  const refused = s.non2xx + s.errors > 0 ? `${s.non2xx} non-2xx, ${s.errors} errors ${JSON.stringify(s.statusCodes)}` : '';
  const cpu = s.cpu
    ? `CPU per request: server ${s.cpu.serverUsPerRequest} µs${s.cpu.postgresUsPerRequest === null ? '' : `, PostgreSQL ${s.cpu.postgresUsPerRequest} µs`}`
    : '';
  return {
    key,
    scenario,
    requestsPerSec: s.requestsPerSec,
    p50Ms: s.p50Ms,
    p99Ms: s.p99Ms,
    note: [note, cpu, refused].filter(Boolean).join('; '),
    detail: { ...s },
  };
}

async function skipUnlessOk(key: string, scenario: string, url: string, init: RequestInit): Promise<Row | null> {
  const status = await probe(url, init).catch((err: Error) => err.message);
  if (typeof status === 'number' && status >= 200 && status < 300) return null;
  return { key, scenario, skipped: `${init.method ?? 'GET'} ${new URL(url).pathname} answered ${status}` };
}

const base = (o: RunOptions, url: string): autocannon.Options => ({ url, connections: o.connections, duration: o.durationSec });

export async function hello(url: string, o: RunOptions): Promise<Row> {
  return row('hello', 'bare node:http hello', await measure(base(o, url), 1, o.cpu));
}

const ownRecord = (id: string) => `/people/${id}`;
const ownBook = (id: string) => `/pols/${id}`;

/** Each request as the next of READERS in turn, on that reader's own route, with their Basic credentials (or what `authorization` gives). */
function inTurn(
  route: (id: string) => string,
  authorization: (id: string) => string = (id) => basic(id, PASSWORD),
): autocannon.Options['requests'] {
  let next = 0;
  const setupRequest = (req: autocannon.Request): autocannon.Request => {
    const id = READERS[next++ % READERS.length];
    return { ...req, path: route(id), headers: { ...req.headers, authorization: authorization(id) } };
  };
  return [{ setupRequest }];
}

/**
 * Signs every reader in on every worker before measuring: the first request of each runs
 * bcrypt (a quarter of a second), which is not what the scenarios measure. Each request opens
 * its own connection, and the cluster deals connections to the workers in turn.
 */
async function warmReaders(url: string, o: RunOptions): Promise<void> {
  for (const id of READERS) {
    for (let i = 0; i < 2 * (o.workers ?? 1); i++) {
      await probeOnNewConnection(`${url}${ownRecord(id)}`, { authorization: basic(id, PASSWORD) });
    }
  }
}

/** Reads of `route` by READERS in turn, `connections` at once. */
async function readsInTurn(url: string, o: RunOptions, key: string, scenario: string, route: (id: string) => string): Promise<Row> {
  const skip = await skipUnlessOk(key, scenario, `${url}${route(READER)}`, { headers: asReader });
  if (skip) return skip;
  await warmReaders(url, o);
  return row(key, scenario, await measure({ ...base(o, `${url}${route(READER)}`), requests: inTurn(route) }, 1, o.cpu));
}

export const PERSON_READ = `person read (self, Basic, ${READERS.length} people in turn)`;

export function personRead(url: string, o: RunOptions, key = 'person', scenario = PERSON_READ): Promise<Row> {
  return readsInTurn(url, o, key, scenario, ownRecord);
}

/** An access token for each of READERS, by the password grant; null when the server issues none. */
async function readerTokens(url: string): Promise<Map<string, string> | string> {
  const tokens = new Map<string, string>();
  for (const id of READERS) {
    const res = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: id, password: PASSWORD }),
    });
    if (!res.ok) return `POST /oauth2/token answered ${res.status}`;
    tokens.set(id, ((await res.json()) as { access_token: string }).access_token);
  }
  return tokens;
}

/** Person reads with Bearer tokens (one per reader), READERS in turn: to compare with the cached Basic reads. */
export async function bearerPersonRead(url: string, o: RunOptions): Promise<Row> {
  const key = 'bearer';
  const scenario = 'person read (self, Bearer, 10 people in turn), reads not audited';
  const tokens = await readerTokens(url);
  if (typeof tokens === 'string') return { key, scenario, skipped: tokens };
  const authorization = (id: string) => `Bearer ${tokens.get(id)}`;
  const skip = await skipUnlessOk(key, scenario, `${url}${ownRecord(READER)}`, { headers: { authorization: authorization(READER) } });
  if (skip) return skip;
  // Each worker verifies each token's signature once; that first request is not what is measured.
  for (const id of READERS) {
    for (let i = 0; i < 2 * (o.workers ?? 1); i++)
      await probeOnNewConnection(`${url}${ownRecord(id)}`, { authorization: authorization(id) });
  }
  return row(
    key,
    scenario,
    await measure({ ...base(o, `${url}${ownRecord(READER)}`), requests: inTurn(ownRecord, authorization) }, 1, o.cpu),
  );
}

export function bookRead(url: string, o: RunOptions, key = 'book', scenario = 'book read (50 pages)'): Promise<Row> {
  return readsInTurn(url, o, key, scenario, ownBook);
}

const fhirPatient = (id: string) => `/fhir/Patient/${id}`;
const fhirObservations = (id: string) => `/fhir/Observation?patient=${id}`;

export function fhirPatientRead(url: string, o: RunOptions): Promise<Row> {
  return readsInTurn(url, o, 'fhir-read', 'FHIR Patient read', fhirPatient);
}

/** A searchset of the reader's Observations: 50 pages, 100 Observations, the first 20 (the default _count). */
export function fhirObservationSearch(url: string, o: RunOptions): Promise<Row> {
  return readsInTurn(url, o, 'fhir-search', 'FHIR Observation search (50 pages)', fhirObservations);
}

/** A page as HMIS nodes send it: JSON with no Content-Type, `id` repeating the URL's page id. */
export function pageBody(id: string): string {
  return JSON.stringify({
    id,
    book: READER,
    page_date: new Date().toISOString().slice(0, 19),
    page_type: 'medical',
    medical_context: 'encounter',
    summary: 'Benchmark visit',
    info: 'Written by npm run bench',
    creation_info: { user: 'bench', timestamp: new Date().toISOString(), node: 'bench' },
  });
}

export async function pageWrite(url: string, o: RunOptions): Promise<Row> {
  const first = randomUUID();
  const skip = await skipUnlessOk('write', 'page write (POST)', `${url}/pols/${READER}/${first}`, {
    method: 'POST',
    headers: asReader,
    body: pageBody(first),
  });
  if (skip) return skip;
  const setupRequest = (req: autocannon.Request): autocannon.Request => {
    const id = randomUUID();
    return { ...req, method: 'POST', path: `/pols/${READER}/${id}`, body: pageBody(id) };
  };
  return row('write', 'page write (POST)', await measure({ ...base(o, url), headers: asReader, requests: [{ setupRequest }] }, 1, o.cpu));
}

/** Person reads while wrong passwords for ever other accounts arrive at `rate` per second alongside. */
export async function personReadUnderFlood(url: string, o: RunOptions, baselineP99: number | undefined, rate = 20): Promise<Row> {
  const scenario = `person read + ${rate}/s wrong passwords`;
  const target = `${url}/people/${READER}`;
  const skip = await skipUnlessOk('flood', scenario, target, { headers: asReader });
  if (skip) return skip;
  let next = READERS.length + 1;
  const setupRequest = (req: autocannon.Request): autocannon.Request => {
    next = next + 1 >= o.people ? READERS.length + 1 : next + 1;
    return { ...req, headers: { ...req.headers, authorization: basic(benchPersonId(next), 'wrong-password') } };
  };
  await warmReaders(url, o);
  const flood = background({ url: target, connections: rate, overallRate: rate, duration: o.durationSec, requests: [{ setupRequest }] });
  const reads = await measure({ ...base(o, target), requests: inTurn(ownRecord) }, 0, o.cpu);
  const wrong = await flood;
  const factor = baselineP99 ? `p99 ${(reads.p99Ms / baselineP99).toFixed(2)}x of plain person read` : '';
  const r = row('flood', scenario, reads, factor);
  r.detail = { ...r.detail, baselineP99Ms: baselineP99, wrongPasswords: wrong };
  r.note = [r.note, `flood: ${wrong.requestsPerSec}/s answered ${JSON.stringify(wrong.statusCodes)}, p99 ${wrong.p99Ms} ms`]
    .filter(Boolean)
    .join('; ');
  return r;
}

/** GET /people of every person, downloaded whole: MB/s and the server's peak memory. */
export async function peopleList(url: string, o: RunOptions, memory: { peak(): number | null; now(): number | null }): Promise<Row> {
  const scenario = `GET /people (${o.people.toLocaleString('en')} people)`;
  const headers = { authorization: basic(LISTER, PASSWORD) };
  const target = `${url}/people`;
  const rssBefore = memory.now();
  const skip = await skipUnlessOk('list', scenario, target, { headers });
  if (skip) return skip;
  const s = await streamLists(target, headers, o.listConnections, o.durationSec);
  const peak = memory.peak();
  return {
    key: 'list',
    scenario,
    requestsPerSec: Math.round((o.listConnections / s.secondsPerList) * 100) / 100,
    note: `${s.mbPerSec} MB/s, ${s.secondsPerList} s per list of ${(s.bytesPerList / 1e6).toFixed(1)} MB, ${o.listConnections} at a time; server RSS ${rssBefore} MB idle, peak ${peak} MB`,
    detail: { ...s, connections: o.listConnections, idleRssMb: rssBefore, peakRssMb: peak },
  };
}
