// `thalamus audit prune`: deletes the entries older than THALAMUS_AUDIT_DAYS or --days, and says how many.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '../../src/db/db.ts';
import { eachBackend, seededDb } from '../helper.ts';
import { cli } from './cli-io.ts';

eachBackend('thalamus audit prune', (backend) => {
  let db: Db;
  before(async () => {
    db = await seededDb(backend);
    await db.query(`INSERT INTO audit_log (recorded, actor, action, resource, outcome, status)
      VALUES (now() - interval '400 days', 'A', 'read', 'person', 'success', 200),
             (now() - interval '40 days', 'B', 'read', 'person', 'success', 200),
             (now() - interval '2 days', 'C', 'read', 'person', 'success', 200)`);
  });
  after(() => db.close());
  const actors = async () => (await db.query<{ actor: string }>('SELECT actor FROM audit_log ORDER BY actor')).map((r) => r.actor);

  test('THALAMUS_AUDIT_DAYS says how many days to keep', async () => {
    const run = await cli(['audit', 'prune'], { db, env: { THALAMUS_AUDIT_DAYS: '365' } });
    assert.deepEqual([run.code, run.stdout, run.stderr], [0, 'deleted 1 audit entries older than 365 days\n', '']);
    assert.deepEqual(await actors(), ['B', 'C']);
  });

  test('--days wins over the setting', async () => {
    const run = await cli(['audit', 'prune', '--days', '30'], { db, env: { THALAMUS_AUDIT_DAYS: '365' } });
    assert.deepEqual([run.code, run.stdout], [0, 'deleted 1 audit entries older than 30 days\n']);
    assert.deepEqual(await actors(), ['C']);
  });

  test('with neither, or a bad number, one line and exit 1; nothing deleted', async () => {
    const none = await cli(['audit', 'prune'], { db });
    assert.deepEqual([none.code, none.stderr], [1, 'thalamus: say how many days to keep: --days N, or set THALAMUS_AUDIT_DAYS\n']);
    const bad = await cli(['audit', 'prune', '--days', '0'], { db });
    assert.deepEqual([bad.code, bad.stderr], [1, 'thalamus: --days: "0" is not a whole number from 1 to 36500\n']);
    assert.deepEqual(await actors(), ['C']);
  });
});
