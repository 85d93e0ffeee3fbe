// `thalamus serve` and a CLI command with THALAMUS_CONFIG naming a reference-style etc/thalamus.cfg on a real PostgreSQL.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrate } from '../../src/db/migrate.ts';
import { loadDemo } from '../../src/demo.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { freshPostgres, PG_URL } from '../helper.ts';
import { cli } from './cli-io.ts';
import { serveProcess } from './serve-process.ts';

const BIN = join(PROJECT_ROOT, 'bin/thalamus.js');

describe(
  'a reference thalamus.cfg with a libpq keyword string [postgres]',
  { skip: PG_URL ? false : 'THALAMUS_TEST_DATABASE_URL is not set' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'thalamus-reference-'));
    const cfg = join(dir, 'etc', 'thalamus.cfg');
    let db: Awaited<ReturnType<typeof freshPostgres>>;

    before(async () => {
      db = await freshPostgres();
      await migrate(db);
      await loadDemo(db);
      const url = new URL(db.url);
      // No host, as the reference's file has none (libpq then uses the local socket), unless this machine has no socket.
      const socket = ['/var/run/postgresql', '/tmp'].some((d) => existsSync(join(d, `.s.PGSQL.${url.port || 5432}`)));
      const host = socket && ['127.0.0.1', 'localhost'].includes(url.hostname) ? '' : ` host=${url.hostname} port=${url.port || 5432}`;
      mkdirSync(join(dir, 'etc'));
      copyFileSync(join(PROJECT_ROOT, 'test/fixtures/reference/etc/roles.cfg'), join(dir, 'etc', 'roles.cfg'));
      writeFileSync(
        cfg,
        `DEBUG = True\nPOSTGRESQL_URI = "dbname=${url.pathname.slice(1)} user=${decodeURIComponent(url.username)}${host}"\nACL = "etc/roles.cfg"\n`,
      );
    });
    after(async () => {
      await db?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('serve uses its database and roles.cfg and logs the ignored DEBUG once', async () => {
      const run = await serveProcess(BIN, { THALAMUS_CONFIG: cfg });
      try {
        const ready = await run.ready();
        assert.deepEqual([ready.status, await ready.json()], [200, { status: 'ready', database: 'pg' }]);
        const auth = `Basic ${Buffer.from('ESPGNU777ORG:gnusolidario').toString('base64')}`;
        // The reference's roles.cfg gives end users no personal documents: it is the one in use.
        const docs = await fetch(`${run.url}/personal_docs/ESPGNU777ORG`, { headers: { authorization: auth } });
        assert.equal(docs.status, 403);
      } finally {
        assert.equal(await run.stop(), 0);
      }
      assert.deepEqual(
        run.messages.filter((m) => m.startsWith('DEBUG')),
        [`DEBUG in ${cfg} line 1 is ignored: Thalamus has no debug server (THALAMUS_LOG_LEVEL=debug logs every request)`],
      );
    });

    it('a CLI command reads the same file and prints the warning on stderr', async () => {
      const run = await cli(['user', 'show', 'ESPGNU777ORG'], { env: { THALAMUS_CONFIG: cfg } });
      assert.equal(run.code, 0, run.stderr);
      assert.equal((JSON.parse(run.stdout) as { id: string }).id, 'ESPGNU777ORG');
      assert.equal(
        run.stderr,
        `thalamus: warning: DEBUG in ${cfg} line 1 is ignored: Thalamus has no debug server (THALAMUS_LOG_LEVEL=debug logs every request)\nESPGNU777ORG has a password set\n`,
      );
    });
  },
);
