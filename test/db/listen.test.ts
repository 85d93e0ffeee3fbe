// Db.listen: NOTIFY reaches the listener on both backends; on PostgreSQL a lost listening connection comes back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '../../src/db/db.ts';
import { eachBackend, freshDb } from '../helper.ts';

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

eachBackend('Db.listen', (backend) => {
  let db: Db;
  before(async () => {
    db = await freshDb(backend);
  });
  after(() => db.close());

  test('called once when listening starts, then once per NOTIFY, until stopped', async () => {
    let calls = 0;
    const stop = await db.listen('listen_test', () => calls++);
    await until('listening to start', () => calls === 1);
    await db.query("SELECT pg_notify('listen_test', 'x')");
    await until('the notification', () => calls === 2);
    await db.query("SELECT pg_notify('another_channel', 'x')");
    await stop();
    await db.query("SELECT pg_notify('listen_test', 'x')");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(calls, 2);
  });

  test('a channel name that is not a plain identifier is refused', async () => {
    await assert.rejects(
      db.listen('x; DROP TABLE people', () => {}),
      /not a channel name/,
    );
  });

  if (backend === 'postgres') {
    test('a listening connection that the server ends is replaced, and says so by calling once more', async () => {
      let calls = 0;
      const stop = await db.listen('listen_again', () => calls++);
      await until('listening to start', () => calls === 1);
      await db.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN listen_again'",
      );
      await until('listening to start again', () => calls === 2);
      await db.query("SELECT pg_notify('listen_again', 'x')");
      await until('the notification on the new connection', () => calls === 3);
      await stop();
    });
  }
});
