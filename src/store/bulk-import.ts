// SQL of `thalamus import`: lines staged with COPY, merged into the five tables one set-based statement per batch.
import type { Queryable } from '../db/db.ts';
import { setWriter, type Writer } from './changes.ts';
import type { Table } from './rows.ts';

/**
 * Each staged row is the export line itself as jsonb (PostgreSQL parses it once, on the way in)
 * and its line number in the file. A temporary table: private to the import, never WAL-logged,
 * gone with the transaction.
 */
const STAGE = 'thalamus_import_stage';

/** The target columns, and how each is read from a staged line (src/cli/ndjson.ts, the export format). */
const COLUMNS: Record<Table, [string, string][]> = {
  people: [['data', "NULLIF(d->'data', 'null')"]],
  dus: [['data', "NULLIF(d->'data', 'null')"]],
  institutions: [['data', "NULLIF(d->'data', 'null')"]],
  pols: [
    ['book', "d->>'book'"],
    ['data', "NULLIF(d->'data', 'null')"],
  ],
  personal_docs: [
    ['fedacct', "d->>'fedacct'"],
    ['pol', "d->>'pol'"],
    ['document', "decode(d->>'document', 'base64')"],
    ['data', "NULLIF(d->'data', 'null')"],
  ],
};

/** The person a change row names (migration 040's record_change). */
const OWNER: Record<Table, string> = { people: 'id', pols: 'book', personal_docs: 'fedacct', dus: 'NULL', institutions: 'NULL' };

/** The references of each table, in the order PostgreSQL checks them (constraint creation order, migration 001). */
const REFERENCES: Record<Table, [string, string][]> = {
  people: [],
  dus: [],
  institutions: [],
  pols: [['book', 'people']],
  personal_docs: [
    ['fedacct', 'people'],
    ['pol', 'pols'],
  ],
};

/** What the import must finish before it commits. */
export interface ImportState {
  /** The lowest change seq the import can have taken: its change rows are at or above it. */
  firstSeq: number;
  /** pols' foreign keys, set aside while pols is loaded from empty, and their definitions. */
  setAside: { name: string; definition: string }[];
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Opens the import inside its transaction: names the writer, stands the per-row change-log
 * triggers and the per-batch book bump aside (migrations 070, 072; the import does both
 * itself) and announces the lowest change seq the transaction can take, as the trigger would
 * (migration 040), before any. Into an empty pols (a national load), its foreign keys are
 * dropped until the end (finishImport adds them back, checked in one set-based pass): the
 * per-row check locks the page's person, a random write in the people table for every page,
 * and the import finds missing people itself before each merge (firstMissingReference).
 * Dropping them takes pols' ACCESS EXCLUSIVE lock until commit: reads of pages wait for the import.
 */
export async function startImport(tx: Queryable, writer: Writer): Promise<ImportState> {
  await setWriter(tx, writer);
  const [start] = await tx.query<{ first: string | number }>(
    `WITH next AS (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END AS first FROM changes_seq)
     SELECT set_config('thalamus.bulk_import', 'on', true), pg_advisory_xact_lock_shared(changes_lock_tag() | next.first),
            set_config('thalamus.change_lock', '1', true), next.first
     FROM next`,
  );
  // Stored as it comes: a staged line is read once, right away, so compressing it (TOAST's default above 2 kB) is wasted work.
  await tx.exec(
    `CREATE TEMPORARY TABLE ${STAGE} (line bigint NOT NULL, d jsonb NOT NULL) WITH (toast_tuple_target = 8160) ON COMMIT DROP;
     ALTER TABLE ${STAGE} ALTER COLUMN d SET STORAGE EXTERNAL`,
  );
  const setAside = await tx.query<{ name: string; definition: string }>(
    `SELECT c.conname AS name, pg_get_constraintdef(c.oid) AS definition
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
     WHERE c.conrelid = 'pols'::regclass AND c.contype = 'f' AND pg_has_role(t.relowner, 'USAGE')
       AND NOT EXISTS (SELECT 1 FROM pols)
     ORDER BY c.conname`,
  );
  for (const key of setAside) await tx.exec(`ALTER TABLE pols DROP CONSTRAINT ${quoteIdent(key.name)}`);
  return { firstSeq: Number(start.first), setAside };
}

/**
 * Ends the import: pols' foreign keys back (PostgreSQL checks every row in one query), and a
 * new version for each book the import added pages to, once.
 */
export async function finishImport(tx: Queryable, state: ImportState): Promise<void> {
  for (const key of state.setAside) await tx.exec(`ALTER TABLE pols ADD CONSTRAINT ${quoteIdent(key.name)} ${key.definition}`);
  await tx.query(
    `INSERT INTO book_versions (book, version)
     SELECT book, nextval('book_version_seq')
     FROM (SELECT DISTINCT person AS book FROM changes
           WHERE seq >= $1 AND resource = 'pols' AND operation = 'create' AND person IS NOT NULL ORDER BY 1) b
     ON CONFLICT (book) DO UPDATE SET version = EXCLUDED.version`,
    [state.firstSeq],
  );
}

/** Text-format COPY escaping (PostgreSQL's COPY, "File Formats"): backslash and the three control characters. */
const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = new RegExp(SPECIAL.source, 'g');
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
export function copyLine(line: number, text: string): string {
  return `${line}\t${SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPED[c]) : text}\n`;
}

/** Loads one batch of lines (copyLine's output, joined) into the stage. */
export async function stageBatch(tx: Queryable, copyText: string): Promise<void> {
  await tx.copyIn(`COPY ${STAGE} (line, d) FROM STDIN`, copyText);
}

export interface MissingReference {
  line: number;
  column: string;
  value: string;
  target: string;
}

/**
 * The first staged line (in file order) that refers to a row that is not there, if any: found
 * before the merge, so the import can name its line (the merge would only say which key).
 */
export async function firstMissingReference(tx: Queryable, table: Table): Promise<MissingReference | null> {
  let first: MissingReference | null = null;
  for (const [column, target] of REFERENCES[table]) {
    const rows = await tx.query<{ line: string | number; value: string }>(
      `SELECT s.line, s.d->>'${column}' AS value FROM ${STAGE} s
       WHERE s.d->>'${column}' IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${target} t WHERE t.id = s.d->>'${column}')
       ORDER BY s.line LIMIT 1`,
    );
    if (rows.length > 0 && (first === null || Number(rows[0].line) < first.line)) {
      first = { line: Number(rows[0].line), column, value: rows[0].value, target };
    }
  }
  return first;
}

/**
 * Merges the stage into `table` and empties it: a row per id (the last line wins, as when the
 * lines were written one by one), new ids inserted, existing ones replaced only where they
 * differ (so importing the same file again writes nothing), and a change row for each row
 * created or changed, in the same statement. The statement triggers of pols, people,
 * institutions and personal_docs (record versions, the FHIR index, books whose pages changed:
 * migrations 003, 030, 031) run once for the batch. Returns the rows created or changed.
 */
export async function mergeBatch(tx: Queryable, table: Table): Promise<number> {
  const columns = COLUMNS[table].map(([name]) => name);
  const reads = COLUMNS[table].map(([name, read]) => `${read} AS ${name}`);
  const rows = await tx.query<{ n: string | number }>(
    `WITH staged AS (
       SELECT DISTINCT ON (d->>'id') d->>'id' AS id, ${reads.join(', ')} FROM ${STAGE} ORDER BY d->>'id', line DESC
     ), written AS (
       INSERT INTO ${table} AS t (id, ${columns.join(', ')}) SELECT id, ${columns.join(', ')} FROM staged
       ON CONFLICT (id) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
       WHERE (${columns.map((c) => `t.${c}`).join(', ')}, NULL) IS DISTINCT FROM (${columns.map((c) => `EXCLUDED.${c}`).join(', ')}, NULL)
       RETURNING id, ${OWNER[table]} AS owner, xmax = 0 AS created
     ), logged AS (
       INSERT INTO changes (seq, resource, id, person, operation, actor, node)
       SELECT nextval('changes_seq'), '${table}', id, owner, CASE WHEN created THEN 'create' ELSE 'update' END,
              nullif(current_setting('thalamus.actor', true), ''), nullif(current_setting('thalamus.node', true), '')
       FROM written
       RETURNING 1
     )
     SELECT count(*) AS n FROM logged`,
  );
  await tx.exec(`TRUNCATE ${STAGE}`);
  return Number(rows[0].n);
}
