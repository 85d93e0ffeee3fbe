// `thalamus --help`, migrate, demo and the failures every command shares (unknown command, unreachable database).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../src/db/db.ts';
import { listMigrations } from '../../src/db/migrate.ts';
import { countPeople, getPerson } from '../../src/store/people.ts';
import { VERSION } from '../../src/version.ts';
import { eachBackend, freshDb } from '../helper.ts';
import { cli } from './cli-io.ts';

const outcome = (r: { code: number; stdout: string; stderr: string }) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr });
const DEMO_LOADED = 'loaded 6 demo rows: ITAPYT999HON, ESPGNU777ORG (password gnusolidario), ARGBUE111FAV (password freedom)\n';

describe('thalamus (no database)', () => {
  test('--help lists every command', async () => {
    const run = await cli(['--help']);
    assert.equal(run.code, 0);
    assert.equal(run.stderr, '');
    for (const command of ['serve', 'migrate', 'demo', 'user', 'export', 'import', 'audit'])
      assert.match(run.stdout, new RegExp(`^  ${command}\\b`, 'm'));
    const user = await cli(['user', '--help']);
    for (const command of ['add', 'passwd', 'roles', 'unlock', 'show']) assert.match(user.stdout, new RegExp(`^  ${command}\\b`, 'm'));
  });

  test('--version prints the version', async () => {
    assert.deepEqual(outcome(await cli(['--version'])), { code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  test('an unknown command is one line and a non-zero exit', async () => {
    assert.deepEqual(outcome(await cli(['frobnicate'])), { code: 1, stdout: '', stderr: "thalamus: unknown command 'frobnicate'\n" });
  });

  test('an unreachable database is one line and exit 1', async () => {
    const run = await cli(['migrate'], { env: { THALAMUS_DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/x' } });
    assert.deepEqual(outcome(run), {
      code: 1,
      stdout: '',
      stderr:
        'thalamus: THALAMUS_DATABASE_URL: "postgresql://nobody@127.0.0.1:1/x": nothing answers at 127.0.0.1:1: is PostgreSQL running, and listening there (listen_addresses, port)?\n',
    });
    const show = await cli(['user', 'show', 'X'], { env: { THALAMUS_DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/x' } });
    assert.deepEqual(outcome(show), outcome(run));
  });

  test('an invalid setting is one line naming it and exit 1', async () => {
    const run = await cli(['migrate'], { env: { THALAMUS_DATABASE_URL: 'mysql://x@y/z' } });
    assert.deepEqual(outcome(run), {
      code: 1,
      stdout: '',
      stderr:
        'thalamus: THALAMUS_DATABASE_URL: "mysql:" is not a PostgreSQL URL (expected postgresql://user:password@host:5432/database or dbname=... user=... host=...)\n',
    });
  });
});

eachBackend('thalamus migrate and demo', (backend) => {
  let db: Db;
  before(async () => {
    db = await freshDb(backend);
  });
  after(() => db.close());

  test('migrate applies every migration on an empty database, then has nothing to do', async () => {
    const names = listMigrations().map((m) => m.name);
    assert.deepEqual(outcome(await cli(['migrate'], { db })), { code: 0, stdout: `applied: ${names.join(', ')}\n`, stderr: '' });
    assert.deepEqual(outcome(await cli(['migrate'], { db })), { code: 0, stdout: 'the database schema is up to date\n', stderr: '' });
  });

  test('demo loads the demo accounts into an empty database', async () => {
    assert.deepEqual(outcome(await cli(['demo'], { db })), { code: 0, stdout: DEMO_LOADED, stderr: '' });
    assert.equal(await countPeople(db), 3);
  });

  test('demo refuses to overwrite existing rows without --force, and changes nothing', async () => {
    await db.query(`UPDATE people SET data = data || '{"name": "Anita"}'::jsonb WHERE id = 'ESPGNU777ORG'`);
    const run = await cli(['demo'], { db });
    assert.deepEqual({ code: run.code, stdout: run.stdout }, { code: 1, stdout: '' });
    // The ids come in whatever order the database finds them.
    const taken = /^thalamus: demo data already present \(people: ([A-Z0-9, ]+)\); use --force to overwrite\n$/.exec(run.stderr);
    assert.ok(taken, run.stderr);
    assert.deepEqual(taken[1].split(', ').sort(), ['ARGBUE111FAV', 'ESPGNU777ORG', 'ITAPYT999HON']);
    assert.equal((await getPerson(db, 'ESPGNU777ORG'))?.data?.name, 'Anita');
  });

  test('demo --force puts the demo rows back as shipped', async () => {
    assert.deepEqual(outcome(await cli(['demo', '--force'], { db })), { code: 0, stdout: DEMO_LOADED, stderr: '' });
    assert.equal((await getPerson(db, 'ESPGNU777ORG'))?.data?.name, 'Ana');
  });
});
