// The benchmark's own database: a fresh `thalamus_bench` on PostgreSQL, or PGlite in a temp dir; seeded in bulk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import pg from 'pg';
import { openPg, openPglite, type Db } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';
import { analyzeTables, benchPersonId, seedPages, seedPeople } from './seed.ts';
import { mergePerson } from '../src/store/people.ts';

export const BENCH_DB_NAME = 'thalamus_bench';
export const PASSWORD = 'bench-password-1';
/**
 * The people who read themselves and their books (50 pages each), in turn, so that no
 * scenario is one account's; the first also writes pages. Person 0 is root, for the list.
 */
export const READERS = Array.from({ length: 10 }, (_, i) => benchPersonId(i + 1));
export const READER = READERS[0];
export const LISTER = benchPersonId(0);

export interface BenchDatabase {
  backend: 'postgres' | 'pglite';
  /** What Thalamus needs in its environment to use this database. */
  env: Record<string, string>;
  /** Makes sure people 0..count-1 exist (the server must be stopped on PGlite: one process only). */
  growPeople(count: number): Promise<void>;
  dispose(): Promise<void>;
}

async function admin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(options: { people: number; pages: number; readerPages: number }): Promise<BenchDatabase> {
  const adminUrl = process.env.THALAMUS_BENCH_DATABASE_URL || null;
  let open: () => Promise<Db>;
  let env: Record<string, string>;
  let dispose: () => Promise<void>;
  if (adminUrl) {
    // A fixed name, not a parameter: DDL cannot take one. Dropped first in case a run was interrupted.
    await admin(adminUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${BENCH_DB_NAME} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${BENCH_DB_NAME}`);
    });
    const url = new URL(adminUrl);
    url.pathname = `/${BENCH_DB_NAME}`;
    open = async () => openPg(url.toString(), { max: 2 });
    env = { THALAMUS_DATABASE_URL: url.toString(), POSTGRESQL_URI: '' };
    dispose = () => admin(adminUrl, async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${BENCH_DB_NAME} WITH (FORCE)`)));
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'thalamus-bench-'));
    open = () => openPglite(dir);
    env = { THALAMUS_DATABASE_URL: '', POSTGRESQL_URI: '', THALAMUS_DATA_DIR: dir };
    dispose = async () => rmSync(dir, { recursive: true, force: true });
  }
  // One real cost-12 hash, shared by every row: the server verifies it once, then the cache answers.
  const hash = await bcrypt.hash(PASSWORD, 12);
  const withDb = async (fn: (db: Db) => Promise<void>) => {
    const db = await open();
    try {
      await fn(db);
    } finally {
      await db.close();
    }
  };
  await withDb(async (db) => {
    await migrate(db);
    await seedPeople(db, 0, options.people - 1, hash);
    await mergePerson(db, { actor: 'bench', node: null }, LISTER, { roles: ['root'] });
    await seedPages(db, {
      books: READERS,
      perBook: options.readerPages,
      spread: options.pages - options.readerPages * READERS.length,
      spreadFrom: READERS.length + 1,
      spreadTo: options.people - 1,
    });
    await analyzeTables(db);
  });
  return {
    backend: adminUrl ? 'postgres' : 'pglite',
    env,
    growPeople: (count) =>
      withDb(async (db) => {
        await seedPeople(db, 0, count - 1, hash);
        await analyzeTables(db);
      }),
    dispose,
  };
}
