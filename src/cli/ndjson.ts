// The export file format: one JSON object per line per row of a reference table, bytea as base64.
import { TABLES, type Table, type TableRow } from '../store/rows.ts';

/** The columns besides id and data, per table, in the order a line writes them. */
const EXTRA: Record<Table, readonly ('book' | 'fedacct' | 'pol' | 'document')[]> = {
  people: [],
  dus: [],
  institutions: [],
  pols: ['book'],
  personal_docs: ['fedacct', 'pol', 'document'],
};

export interface ExportLine {
  table: Table;
  row: TableRow;
}

/** One line (without its newline): {"table":..,"id":..,<other columns>,"data":..}. */
export function encodeLine(table: Table, row: TableRow): string {
  const line: Record<string, unknown> = { table, id: row.id };
  for (const column of EXTRA[table]) {
    if (column === 'document') continue;
    line[column] = row[column] ?? null;
  }
  line.data = row.data ?? null;
  // The document last: a long base64 string is easier to skip past when reading the file.
  if (table === 'personal_docs') line.document = row.document ? row.document.toString('base64') : null;
  return JSON.stringify(line);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function optionalString(line: Record<string, unknown>, key: string): string | null {
  const value = line[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new Error(`"${key}" must be a string or null`);
  return value;
}

/** Parses and checks one line; throws an Error whose message says what is wrong with it. */
export function decodeLine(text: string): ExportLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected a JSON object');
  const line = parsed as Record<string, unknown>;
  const table = line.table as Table;
  if (typeof table !== 'string' || !TABLES.includes(table)) {
    throw new Error(`unknown table ${JSON.stringify(line.table)} (expected one of ${TABLES.join(', ')})`);
  }
  if (typeof line.id !== 'string' || line.id === '') throw new Error('"id" must be a non-empty string');
  const allowed = new Set<string>(['table', 'id', 'data', ...EXTRA[table]]);
  const stray = Object.keys(line).filter((k) => !allowed.has(k));
  if (stray.length > 0) throw new Error(`unexpected field ${stray.map((k) => `"${k}"`).join(', ')} for table ${table}`);
  const row: TableRow = { id: line.id, data: line.data ?? null };
  for (const column of EXTRA[table]) {
    const value = optionalString(line, column);
    if (column !== 'document') row[column] = value;
    else if (value === null) row.document = null;
    else if (value.length % 4 !== 0 || !BASE64.test(value)) throw new Error('"document" is not base64');
    else row.document = Buffer.from(value, 'base64');
  }
  return { table, row };
}
