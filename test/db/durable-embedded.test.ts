// Durable embedded writes: PGlite on a directory runs with fsync on, and every commit reaches the disk through fsync(2) before it returns.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openPglite } from '../../src/db/db.ts';

describe('durable embedded database', () => {
  const root = mkdtempSync(join(tmpdir(), 'thalamus-durable-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  test('a data directory runs with fsync on (WAL flushed by fsync), and each commit flushes once', async () => {
    const db = await openPglite(join(root, 'data'));
    try {
      const settings = await db.query<{ name: string; setting: string }>(
        "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method') ORDER BY name",
      );
      assert.deepEqual(settings, [
        { name: 'fsync', setting: 'on' },
        { name: 'synchronous_commit', setting: 'on' },
        { name: 'wal_sync_method', setting: 'fsync' },
      ]);
      await db.exec('CREATE TABLE t (id int PRIMARY KEY, v text)');
      const before = db.flushes();
      for (let i = 0; i < 20; i++) await db.query('INSERT INTO t VALUES ($1, $2)', [i, 'x']);
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (100, $1)', ['y']);
        await tx.query('INSERT INTO t VALUES (101, $1)', ['z']);
      });
      assert.ok(db.flushes() - before >= 21, `${db.flushes() - before} flushes for 21 commits`);
      const reads = db.flushes();
      await db.query('SELECT count(*) FROM t');
      assert.equal(db.flushes(), reads, 'a read flushes nothing');
    } finally {
      await db.close();
    }
  });

  test('memory:// (the tests) stays as PGlite makes it: nothing to flush', async () => {
    const db = await openPglite('memory://');
    try {
      const [fsync] = await db.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'fsync'");
      assert.equal(fsync.setting, 'off');
    } finally {
      await db.close();
    }
  });
});
