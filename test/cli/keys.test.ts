// `thalamus keys rotate`, and a start whose key-encryption key does not open the stored signing key.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Db } from '../../src/db/db.ts';
import { ConfigError } from '../../src/errors.ts';
import { startServer } from '../../src/main.ts';
import { TEST_KEY_ENCRYPTION_KEY, eachBackend, seededDb, testConfig } from '../helper.ts';
import { cli } from './cli-io.ts';

const withKey = { THALAMUS_KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY };

eachBackend('thalamus keys', (backend) => {
  let db: Db;
  before(async () => {
    db = await seededDb(backend);
  });
  after(() => db.close());
  const kids = async () => (await db.query<{ kid: string }>('SELECT kid FROM oauth_signing_keys ORDER BY created_at')).map((r) => r.kid);

  test('rotate: the first key, then a new one that signs while the old stays published', async () => {
    const first = await cli(['keys', 'rotate'], { db, env: withKey });
    const [kid] = await kids();
    assert.deepEqual([first.code, first.stdout, first.stderr], [0, `key ${kid} signs from now on\n`, '']);
    const second = await cli(['keys', 'rotate'], { db, env: withKey });
    const [, newKid] = await kids();
    assert.deepEqual(
      [second.code, second.stdout, second.stderr],
      [0, `key ${newKid} signs from now on\nkey ${kid} is retired: still published for 600 s, until the tokens it signed expire\n`, ''],
    );
  });

  test('no key-encryption key with PostgreSQL, or no subcommand: one line, exit 1', async () => {
    const none = await cli(['keys', 'rotate'], { db, env: { THALAMUS_DATABASE_URL: 'postgresql://db.example/federation' } });
    assert.deepEqual(
      [none.code, none.stdout, none.stderr],
      [1, '', 'thalamus: set THALAMUS_KEY_ENCRYPTION_KEY (the one the servers use) to make a signing key\n'],
    );
    const bare = await cli(['keys'], { db });
    assert.deepEqual([bare.code, bare.stderr], [1, 'thalamus: keys: say which: rotate (see thalamus keys --help)\n']);
  });
});

test('a start whose THALAMUS_KEY_ENCRYPTION_KEY does not open the signing key stops with that reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'thalamus-kek-start-'));
  try {
    const env = { THALAMUS_DATA_DIR: join(dir, 'data'), THALAMUS_PORT: '0', THALAMUS_DEMO: 'false' };
    const first = await startServer(testConfig(env));
    const [{ kid }] = await first.db.query<{ kid: string }>('SELECT kid FROM oauth_signing_keys');
    await first.close();
    await assert.rejects(
      startServer(testConfig({ ...env, THALAMUS_KEY_ENCRYPTION_KEY: 'ab'.repeat(32) })),
      new ConfigError(
        `THALAMUS_KEY_ENCRYPTION_KEY does not open signing key ${kid} (was the key-encryption key changed? \`thalamus keys rotate\` with the new one makes a key it opens)`,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
