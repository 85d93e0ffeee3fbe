// Bench-only SQL that fills a benchmark database in bulk: synthetic people and pages from generate_series.
import type { Queryable } from '../src/db/db.ts';

/** The id of the n-th synthetic person: `BENCH` + 7 digits, so ids sort in creation order. */
export function benchPersonId(n: number): string {
  return `BENCH${String(n).padStart(7, '0')}`;
}

/**
 * Inserts people number `from` to `to` (inclusive), all sharing one bcrypt hash: hashing
 * each row would cost minutes and measure nothing. Ids that exist already are left alone.
 */
export async function seedPeople(q: Queryable, from: number, to: number, passwordHash: string): Promise<void> {
  await q.query(
    `INSERT INTO people (id, data)
     SELECT pid, jsonb_build_object(
       'id', pid, 'name', 'Person', 'lastname', 'Number ' || n, 'gender', CASE WHEN n % 2 = 0 THEN 'f' ELSE 'm' END,
       'dob', to_char(date '1940-01-01' + (n % 29000), 'YYYY-MM-DD'), 'marital_status', 's',
       'ethnicity', 'european', 'education', 'tertiary', 'profession', 'Teacher',
       'active', true, 'roles', '["end_user"]'::jsonb, 'password', $3::text)
     FROM (SELECT n, 'BENCH' || lpad(n::text, 7, '0') AS pid FROM generate_series($1::int, $2::int) AS n) AS s
     ON CONFLICT (id) DO NOTHING`,
    [from, to, passwordHash],
  );
}

/**
 * Inserts `perBook` pages into each of `books`, and `spread` more spread over people
 * `spreadFrom` to `spreadTo` (as a national index has), with random uuids as page ids.
 */
export async function seedPages(
  q: Queryable,
  options: { books: readonly string[]; perBook: number; spread: number; spreadFrom: number; spreadTo: number },
): Promise<void> {
  const page = `jsonb_build_object(
       'id', pid, 'book', owner, 'page_date', to_char(timestamp '2000-01-01' + n * interval '1 day', 'YYYY-MM-DD"T"HH24:MI:SS'),
       'age', '', 'page_type', 'medical', 'medical_context', 'encounter', 'health_condition_text', 'Seasonal influenza',
       'health_condition_code', 'J11', 'relevance', 'normal', 'summary', 'Visit number ' || n,
       'info', 'Fever for two days, no complications. Rest and fluids.', 'node', 'Bench Hospital', 'active', true,
       'measurements', '[{"bp": {"systolic": 120, "diastolic": 80}}, {"hr": 72}]'::jsonb)`;
  await q.query(
    `INSERT INTO pols (id, book, data)
     SELECT pid, owner, ${page}
     FROM (SELECT n, gen_random_uuid()::text AS pid, owner
           FROM unnest($1::varchar[]) AS owner CROSS JOIN generate_series(1, $2::int) AS n) AS s`,
    [options.books, options.perBook],
  );
  await q.query(
    `INSERT INTO pols (id, book, data)
     SELECT pid, owner, ${page}
     FROM (SELECT n, gen_random_uuid()::text AS pid, 'BENCH' || lpad(($2::int + n % ($3::int - $2::int + 1))::text, 7, '0') AS owner
           FROM generate_series(1, $1::int) AS n) AS s`,
    [options.spread, options.spreadFrom, options.spreadTo],
  );
}

/** Fresh statistics after a bulk load, as autovacuum would gather them on a settled database. */
export async function analyzeTables(q: Queryable): Promise<void> {
  await q.exec('ANALYZE people; ANALYZE pols');
}
