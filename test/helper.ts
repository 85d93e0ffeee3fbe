// Test helper: a migrated, demo-seeded database (PGlite always, PostgreSQL when asked) and the app on it.
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { openPg, openPglite, type Db } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';
import { loadDemo } from '../src/demo.ts';

export type Backend = 'pglite' | 'postgres';
export const PG_URL = process.env.THALAMUS_TEST_DATABASE_URL || null;

/** PGlite always; PostgreSQL too when THALAMUS_TEST_DATABASE_URL is set. */
export function backends(): Backend[] {
  return PG_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** A fresh, empty PGlite; from the run's dumped template when scripts/run-tests.js made one. */
export async function freshPglite(): Promise<Db> {
  return openPglite('memory://');
}

async function seededPglite(): Promise<Db> {
  const template = process.env.THALAMUS_TEST_TEMPLATE;
  if (template && existsSync(template)) {
    return openPglite('memory://', { loadDataDir: new Blob([readFileSync(template)]) });
  }
  const db = await openPglite('memory://');
  await migrate(db);
  await loadDemo(db);
  return db;
}

/** A new, empty PostgreSQL database of its own, dropped again when the returned Db closes. */
export async function freshPostgres(): Promise<Db & { url: string }> {
  if (!PG_URL) throw new Error('THALAMUS_TEST_DATABASE_URL is not set');
  const name = `thalamus_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const db = openPg(url.toString());
  const close = db.close.bind(db);
  return Object.assign(db, {
    url: url.toString(),
    async close() {
      await close();
      const a = new pg.Client({ connectionString: PG_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  });
}

/** An empty database of the given backend (no migrations run). */
export function freshDb(backend: Backend): Promise<Db> {
  return backend === 'postgres' ? freshPostgres() : freshPglite();
}

/** A migrated database holding the demo data. */
export async function seededDb(backend: Backend): Promise<Db> {
  if (backend === 'pglite') return seededPglite();
  const db = await freshPostgres();
  await migrate(db);
  await loadDemo(db);
  return db;
}

/** The key-encryption key of the tests' signing keys (the embedded default would write a file under ./data). */
export const TEST_KEY_ENCRYPTION_KEY = '7e57'.repeat(16);

/**
 * The tests' settings. Event-loop shedding is off unless a test turns it on: in-process PGlite
 * blocks the loop while test files seed their databases on a shared machine, and a test of
 * something else must not get 503 for that (test/http/overload.test.ts tests the shedding).
 */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    THALAMUS_LOG_LEVEL: 'silent',
    THALAMUS_KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
    THALAMUS_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env,
  });
}

export interface TestContext {
  app: FastifyInstance;
  db: Db;
  config: Config;
}

/**
 * Inside a describe: builds the app on a seeded database before its tests, closes both after.
 * The returned object is filled in by `before`.
 */
export function useApp(backend: Backend, env: Record<string, string> = {}): TestContext {
  const ctx = {} as TestContext;
  before(async () => {
    ctx.config = testConfig(env);
    ctx.db = await seededDb(backend);
    ctx.app = await buildApp({ config: ctx.config, db: ctx.db, logger: false });
    await ctx.app.ready();
  });
  after(async () => {
    await ctx.app?.close();
    await ctx.db?.close();
  });
  return ctx;
}

/** Runs the same suite once per backend: describe(`${title} [pglite]`), and [postgres] when asked. */
export function eachBackend(title: string, suite: (backend: Backend) => void): void {
  for (const backend of backends()) describe(`${title} [${backend}]`, () => suite(backend));
}

/** The Authorization header for Basic credentials. */
export function basic(id: string, password: string): string {
  return `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}`;
}

export const ANA = { id: 'ESPGNU777ORG', password: 'gnusolidario' };
export const CAMERON = { id: 'ITAPYT999HON', password: 'gnusolidario' };
export const ROOT = { id: 'ARGBUE111FAV', password: 'freedom' };
export const asAna = { authorization: basic(ANA.id, ANA.password) };
export const asCameron = { authorization: basic(CAMERON.id, CAMERON.password) };
export const asRoot = { authorization: basic(ROOT.id, ROOT.password) };
