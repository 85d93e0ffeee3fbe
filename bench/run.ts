// `npm run bench`: seeds a database, starts Thalamus and a bare hello server, loads each scenario, prints one table.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { createBenchDatabase, type BenchDatabase } from './database.ts';
import { CpuProbe } from './cpu.ts';
import { delivery } from './delivery.ts';
import { startHello, startThalamus, type ServerProcess } from './processes.ts';
import { RESULTS_PATH, cpuModel, renderTable, writeResults } from './report.ts';
import * as scenarios from './scenarios.ts';
import type { Row, RunOptions } from './scenarios.ts';

const ALL = [
  'hello',
  'person',
  'bearer',
  'person-audit',
  'book',
  'fhir-read',
  'fhir-search',
  'book-uncached',
  'flood',
  'workers',
  'write',
  'delivery',
  'list',
];
const USAGE = `usage: npm run bench -- [--duration 8] [--connections 50] [--only ${ALL.join(',')}]
  [--list-connections 2] [--list-people 100000] [--workers 2] [--rounds 3]
PostgreSQL when THALAMUS_BENCH_DATABASE_URL is set (the run creates and drops ${'thalamus_bench'}), else PGlite.`;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string', default: ALL.join(',') },
    'list-connections': { type: 'string', default: '2' },
    'list-people': { type: 'string', default: '100000' },
    workers: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const positive = (name: string, raw: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: --${name} "${raw}" is not a whole number above 0\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const only = new Set(
  values.only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const unknown = [...only].filter((s) => !ALL.includes(s));
if (unknown.length) {
  console.error(`bench: unknown scenario ${unknown.join(', ')}\n${USAGE}`);
  process.exit(2);
}
const SEED = { people: 10_000, pages: 50_000, readerPages: 50 };
const options: RunOptions = {
  durationSec: positive('duration', values.duration),
  connections: positive('connections', values.connections),
  listConnections: positive('list-connections', values['list-connections']),
  people: SEED.people,
};
const listPeople = positive('list-people', values['list-people']);
const workers = positive('workers', values.workers);
const rounds = positive('rounds', values.rounds);
// PostgreSQL's CPU is counted only when it runs on this machine.
const benchUrl = process.env.THALAMUS_BENCH_DATABASE_URL;
const localPostgres = Boolean(benchUrl) && ['127.0.0.1', 'localhost', '[::1]', ''].includes(new URL(benchUrl!).hostname);
const probed = (server: ServerProcess): RunOptions => ({
  ...options,
  cpu: new CpuProbe(server.pid, localPostgres),
  workers: server.workers,
});

const rows: Row[] = [];
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
async function scenario(key: string, run: () => Promise<Row>): Promise<void> {
  if (!only.has(key)) return;
  say(`measuring ${key} for ${options.durationSec} s ...`);
  rows.push(await run());
}

/** Runs fn against a Thalamus started for it (with extra settings), and always stops that server. */
async function withThalamus(
  db: BenchDatabase,
  workerCount: number,
  fn: (server: ServerProcess) => Promise<void>,
  settings: Record<string, string> = {},
): Promise<void> {
  const server = await startThalamus(db.env, workerCount, settings);
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

/**
 * Person reads with one worker and with `workers`, in alternating runs on fresh servers, so
 * drift on a shared machine weighs on both alike. Reports the median multi-worker run (the lower middle one for an even count).
 */
async function compareWorkers(db: BenchDatabase, scenarioName: string): Promise<Row> {
  const one: Row[] = [];
  const many: Row[] = [];
  for (let round = 0; round < rounds; round++) {
    await withThalamus(
      db,
      1,
      async (server) => void one.push(await scenarios.personRead(server.url, probed(server), 'workers-1', 'one worker')),
    );
    await withThalamus(
      db,
      workers,
      async (server) => void many.push(await scenarios.personRead(server.url, probed(server), 'workers', scenarioName)),
    );
  }
  const rates = (list: Row[]) => list.map((r) => r.requestsPerSec ?? 0);
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const skipped = [...one, ...many].find((r) => r.skipped);
  if (skipped) return skipped;
  const reported = [...many].sort((a, b) => (a.requestsPerSec ?? 0) - (b.requestsPerSec ?? 0))[Math.floor((many.length - 1) / 2)];
  const gain = (median(rates(many)) / median(rates(one)) - 1) * 100;
  const comparison = `alternating runs: 1 worker ${rates(one).join(', ')} req/s; ${workers} workers ${rates(many).join(', ')} req/s (median ${gain >= 0 ? '+' : ''}${gain.toFixed(0)}%)`;
  return {
    ...reported,
    note: [comparison, reported.note].filter(Boolean).join('; '),
    detail: {
      ...reported.detail,
      oneWorker: one.map((r) => r.detail),
      workers: many.map((r) => r.detail),
      medianGainPercent: Math.round(gain),
    },
  };
}

// Measure what production runs: the compiled JavaScript (bin/thalamus.js picks dist/ when it is fresh).
say('compiling the server (npm run build) ...');
if (spawnSync(process.execPath, ['scripts/build.js'], { stdio: 'inherit' }).status !== 0) {
  console.error('bench: the build failed');
  process.exit(1);
}
say(`seeding ${SEED.people} people and ${SEED.pages} pages (${process.env.THALAMUS_BENCH_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}) ...`);
const db = await createBenchDatabase(SEED);
try {
  if (only.has('hello')) {
    const helloServer = await startHello();
    try {
      await scenario('hello', () => scenarios.hello(helloServer.url, probed(helloServer)));
    } finally {
      await helloServer.stop();
    }
  }
  if (only.has('person') || only.has('bearer')) {
    // The server's own cost of a read, with the audit of reads left out (writes and refusals are still audited);
    // then the same reads with Bearer tokens instead of (cached) Basic credentials, on the same server.
    await withThalamus(
      db,
      1,
      async (server) => {
        await scenario('person', () =>
          scenarios.personRead(server.url, probed(server), 'person', `${scenarios.PERSON_READ}, reads not audited`),
        );
        await scenario('bearer', () => scenarios.bearerPersonRead(server.url, probed(server)));
      },
      { THALAMUS_AUDIT_READS: 'false' },
    );
  }
  if (['person-audit', 'book', 'fhir-read', 'fhir-search', 'flood'].some((k) => only.has(k))) {
    // The default settings: every read leaves an audit entry, written in batches.
    await withThalamus(db, 1, async (server) => {
      await scenario('person-audit', () =>
        scenarios.personRead(server.url, probed(server), 'person-audit', `${scenarios.PERSON_READ} with audit`),
      );
      await scenario('book', () => scenarios.bookRead(server.url, probed(server)));
      // FHIR reads are audited as the legacy ones are.
      await scenario('fhir-read', () => scenarios.fhirPatientRead(server.url, probed(server)));
      await scenario('fhir-search', () => scenarios.fhirObservationSearch(server.url, probed(server)));
      const baseline = rows.find((r) => r.key === 'person-audit')?.p99Ms;
      await scenario('flood', () => scenarios.personReadUnderFlood(server.url, probed(server), baseline));
    });
  }
  if (only.has('book-uncached')) {
    await withThalamus(
      db,
      1,
      (server) => scenario('book-uncached', () => scenarios.bookRead(server.url, probed(server), 'book-uncached', 'book read, cache off')),
      { THALAMUS_BOOK_CACHE_MB: '0' },
    );
  }
  if (only.has('workers')) {
    const scenarioName = `person read, --workers ${workers}`;
    if (db.backend === 'pglite')
      rows.push({ key: 'workers', scenario: scenarioName, skipped: 'needs PostgreSQL (THALAMUS_BENCH_DATABASE_URL)' });
    else await scenario('workers', () => compareWorkers(db, scenarioName));
  }
  // Writes last but the list: the pages they add must not weigh on the read scenarios.
  if (only.has('write')) {
    await withThalamus(db, 1, (server) => scenario('write', () => scenarios.pageWrite(server.url, probed(server))));
  }
  if (only.has('delivery')) {
    await withThalamus(db, 1, (server) => scenario('delivery', () => delivery(server.url, options)));
  }
  if (only.has('list')) {
    say(`growing the people table to ${listPeople} ...`);
    await db.growPeople(listPeople);
    // A server started for this scenario alone, so its peak memory (VmHWM) is the list's.
    await withThalamus(db, 1, (server) =>
      scenario('list', () =>
        scenarios.peopleList(server.url, { ...options, people: listPeople }, { peak: () => server.peakRssMb(), now: () => server.rssMb() }),
      ),
    );
  }
} finally {
  await db.dispose();
}

const settings = { backend: db.backend, durationSec: options.durationSec, connections: options.connections, workers, rounds };
console.log(
  `\nThalamus benchmark, ${new Date().toISOString().slice(0, 10)}, ${db.backend}, ${availableParallelism()} cores (${cpuModel()}), ${options.connections} connections, ${options.durationSec} s each\n`,
);
console.log(renderTable(rows));
writeResults(rows, settings);
say(`wrote ${RESULTS_PATH}`);
