// The documented demo accounts and Ana's Book of Life, loaded from demo/*.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db/db.ts';
import { PROJECT_ROOT } from './paths.ts';
import { existingIds, writeRow, type Table, type TableRow } from './store/rows.ts';
import { countPeople } from './store/people.ts';
import { setWriter } from './store/changes.ts';

const DEMO_DIR = join(PROJECT_ROOT, 'demo');

interface DemoDoc {
  id: string;
  fedacct: string;
  pol: string;
  file: string;
  data: Record<string, unknown>;
}

const readJson = <T>(name: string): T => JSON.parse(readFileSync(join(DEMO_DIR, name), 'utf8')) as T;

/** The demo rows per table, in an order that satisfies the foreign keys. */
export function demoRows(): [Table, TableRow[]][] {
  const people = readJson<Record<string, unknown>[]>('people.json').map((p) => ({ id: String(p.id), data: p }));
  const pols = readJson<Record<string, unknown>[]>('pols.json').map((p) => ({ id: String(p.id), book: String(p.book), data: p }));
  const docs = readJson<DemoDoc[]>('personal_docs.json').map((d) => ({
    id: d.id,
    fedacct: d.fedacct,
    pol: d.pol,
    data: d.data,
    document: readFileSync(join(DEMO_DIR, d.file)),
  }));
  return [
    ['people', people],
    ['pols', pols],
    ['personal_docs', docs],
  ];
}

export class DemoConflictError extends Error {}

/**
 * Loads the demo data in one transaction. Without overwrite it refuses (and writes nothing)
 * when any demo row already exists, so a real record is never replaced by accident.
 */
export async function loadDemo(db: Db, options: { overwrite?: boolean } = {}): Promise<number> {
  const tables = demoRows();
  return db.transaction(async (tx) => {
    await setWriter(tx, { actor: 'demo', node: null });
    let written = 0;
    for (const [table, rows] of tables) {
      if (!options.overwrite) {
        const taken = await existingIds(
          tx,
          table,
          rows.map((r) => r.id),
        );
        if (taken.length > 0) {
          throw new DemoConflictError(`demo data already present (${table}: ${taken.join(', ')}); use --force to overwrite`);
        }
      }
      for (const row of rows) await writeRow(tx, table, row, Boolean(options.overwrite));
      written += rows.length;
    }
    return written;
  });
}

/** Loads the demo data only into a database with no people; true when it did. */
export async function loadDemoIfEmpty(db: Db): Promise<boolean> {
  if ((await countPeople(db)) > 0) return false;
  await loadDemo(db);
  return true;
}
