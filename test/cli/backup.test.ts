// thalamus backup / restore of the embedded database: every row comes back; refused beside a running server and on PostgreSQL.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { cli } from './cli-io.ts';
import { serveProcess } from './serve-process.ts';

const BIN = join(PROJECT_ROOT, 'bin/thalamus.js');
const dir = mkdtempSync(join(tmpdir(), 'thalamus-backup-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const outcome = (r: { code: number; stdout: string; stderr: string }) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr });
const failed = (line: string) => ({ code: 1, stdout: '', stderr: `thalamus: ${line}\n` });

describe('thalamus backup and restore (embedded database)', () => {
  const original = join(dir, 'original');
  const copy = join(dir, 'restored');
  const file = join(dir, 'federation.backup');
  const on = (data: string) => ({ env: { THALAMUS_DATA_DIR: data } });

  test('a restored backup holds every row of the original', async () => {
    assert.equal((await cli(['migrate'], on(original))).code, 0);
    assert.equal((await cli(['demo'], on(original))).code, 0);
    const added = await cli(['user', 'add', 'ITAGNU123ABC', '--name', 'Bea'], { ...on(original), stdin: 'a long new secret\n' });
    assert.equal(added.code, 0, added.stderr);
    const before = await cli(['export'], on(original));
    assert.equal(before.code, 0, before.stderr);

    assert.deepEqual(outcome(await cli(['backup', file], on(original))), {
      code: 0,
      stdout: `backed up ${original} (4 people) to ${file}\n`,
      stderr: '',
    });
    assert.deepEqual(outcome(await cli(['restore', file], on(copy))), {
      code: 0,
      stdout: `restored ${file} into ${copy} (4 people)\n`,
      stderr: '',
    });
    const restored = await cli(['export'], on(copy));
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal(restored.stdout.split('\n').length, before.stdout.split('\n').length);
    assert.equal(restored.stdout, before.stdout);
  });

  test('refused while a server holds the database, naming its process', async () => {
    const run = await serveProcess(BIN, { THALAMUS_DATA_DIR: original });
    try {
      const pid = run.pid;
      const line = `the embedded database in ${original} is in use by process ${pid} (a running \`thalamus serve\` or command): stop it first, or make this change through its HTTP API`;
      assert.deepEqual(outcome(await cli(['backup', join(dir, 'while-serving.backup')], on(original))), failed(line));
      assert.deepEqual(outcome(await cli(['user', 'show', 'ESPGNU777ORG'], on(original))), failed(line));
    } finally {
      assert.equal(await run.stop(), 0);
    }
    // Released on a clean stop: commands work again.
    assert.equal((await cli(['user', 'show', 'ESPGNU777ORG'], on(original))).code, 0);
  });

  test('restore refuses a directory that is not empty, and a file that is not a backup', async () => {
    assert.deepEqual(
      outcome(await cli(['restore', file], on(original))),
      failed(
        `THALAMUS_DATA_DIR: ${original} is not empty: restore into a new directory (set THALAMUS_DATA_DIR), or move this one aside first`,
      ),
    );
    const junk = join(dir, 'junk.backup');
    writeFileSync(junk, 'not a backup');
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    assert.deepEqual(
      outcome(await cli(['restore', junk], on(empty))),
      failed(`${junk} is not a backup made by \`thalamus backup\` (not gzip)`),
    );
    assert.deepEqual(
      outcome(await cli(['backup', file], on(original))),
      failed(`${file} already exists: choose another name, or remove it first`),
    );
  });

  test('with PostgreSQL, backup and restore point to pg_dump and pg_restore', async () => {
    const env = { env: { THALAMUS_DATABASE_URL: 'postgresql://u:hunter2@db.example/federation' } };
    assert.deepEqual(
      outcome(await cli(['backup', join(dir, 'x')], env)),
      failed(
        'backup copies the embedded database; with PostgreSQL (THALAMUS_DATABASE_URL) use pg_dump -Fc -f federation.dump "$THALAMUS_DATABASE_URL" (README, "Backups")',
      ),
    );
    assert.deepEqual(
      outcome(await cli(['restore', join(dir, 'x')], env)),
      failed(
        'restore copies the embedded database; with PostgreSQL (THALAMUS_DATABASE_URL) use pg_restore --clean --if-exists -d "$THALAMUS_DATABASE_URL" federation.dump (README, "Backups")',
      ),
    );
  });
});
