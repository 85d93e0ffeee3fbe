// `npm run bench`: seeds a database, starts Thalamus and a bare hello server, loads each scenario, prints one table.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { createBenchDatabase, type BenchDatabase } from './database.ts';
import { startHello, startThalamus, type ServerProcess } from './processes.ts';
import { RESULTS_PATH, cpuModel, renderTable, writeResults } from './report.ts';
import * as scenarios from './scenarios.ts';
import type { Row, RunOptions } from './scenarios.ts';

const ALL = ['hello', 'person', 'book', 'write', 'flood', 'workers', 'list'];
const USAGE = `usage: npm run bench -- [--duration 8] [--connections 50] [--only ${ALL.join(',')}]
  [--list-connections 2] [--list-people 100000] [--workers 2]
PostgreSQL when THALAMUS_BENCH_DATABASE_URL is set (the run creates and drops ${'thalamus_bench'}), else PGlite.`;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string', default: ALL.join(',') },
    'list-connections': { type: 'string', default: '2' },
    'list-people': { type: 'string', default: '100000' },
    workers: { type: 'string', default: '2' },
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
const only = new Set(values.only.split(',').map((s) => s.trim()).filter(Boolean));
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

const rows: Row[] = [];
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
async function scenario(key: string, run: () => Promise<Row>): Promise<void> {
  if (!only.has(key)) return;
  say(`measuring ${key} for ${options.durationSec} s ...`);
  rows.push(await run());
}

/** Runs fn against a Thalamus started for it, and always stops that server. */
async function withThalamus(db: BenchDatabase, workerCount: number, fn: (server: ServerProcess) => Promise<void>): Promise<void> {
  const server = await startThalamus(db.env, workerCount);
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

// Measure what production runs: the compiled JavaScript (bin/thalamus.js picks dist/ when it is fresh).
say('compiling the server (npm run build) ...');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
if (spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' }).status !== 0) {
  console.error('bench: the build failed');
  process.exit(1);
}
say(`seeding ${SEED.people} people and ${SEED.pages} pages (${process.env.THALAMUS_BENCH_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}) ...`);
const db = await createBenchDatabase(SEED);
try {
  if (only.has('hello')) {
    const helloServer = await startHello();
    try {
      await scenario('hello', () => scenarios.hello(helloServer.url, options));
    } finally {
      await helloServer.stop();
    }
  }
  if (['person', 'book', 'write', 'flood'].some((k) => only.has(k))) {
    await withThalamus(db, 1, async (server) => {
      await scenario('person', () => scenarios.personRead(server.url, options));
      await scenario('book', () => scenarios.bookRead(server.url, options));
      await scenario('write', () => scenarios.pageWrite(server.url, options));
      const baseline = rows.find((r) => r.key === 'person')?.p99Ms;
      await scenario('flood', () => scenarios.personReadUnderFlood(server.url, options, baseline));
    });
  }
  if (only.has('workers')) {
    const scenarioName = `person read, --workers ${workers}`;
    if (db.backend === 'pglite') rows.push({ key: 'workers', scenario: scenarioName, skipped: 'needs PostgreSQL (THALAMUS_BENCH_DATABASE_URL)' });
    else await withThalamus(db, workers, (server) => scenario('workers', () => scenarios.personRead(server.url, options, 'workers', scenarioName)));
  }
  if (only.has('list')) {
    say(`growing the people table to ${listPeople} ...`);
    await db.growPeople(listPeople);
    // A server started for this scenario alone, so its peak memory (VmHWM) is the list's.
    await withThalamus(db, 1, (server) =>
      scenario('list', () =>
        scenarios.peopleList(server.url, { ...options, people: listPeople }, { peak: server.peakRssMb, now: server.rssMb }),
      ),
    );
  }
} finally {
  await db.dispose();
}

const settings = { backend: db.backend, durationSec: options.durationSec, connections: options.connections, workers };
console.log(`\nThalamus benchmark, ${new Date().toISOString().slice(0, 10)}, ${db.backend}, ${availableParallelism()} cores (${cpuModel()}), ${options.connections} connections, ${options.durationSec} s each\n`);
console.log(renderTable(rows));
writeResults(rows, settings);
say(`wrote ${RESULTS_PATH}`);
