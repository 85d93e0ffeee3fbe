// One process per embedded data directory: a second server and the CLI are refused while a server holds it; a crash never blocks a restart.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openPglite } from '../../src/db/db.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { basic } from '../helper.ts';
import { cli } from './cli-io.ts';
import { failedServe, serveProcess } from './serve-process.ts';

const BIN = join(PROJECT_ROOT, 'bin/thalamus.js');
const root = mkdtempSync(join(tmpdir(), 'thalamus-lock-'));
after(() => rmSync(root, { recursive: true, force: true }));

const inUse = (dir: string, pid: number) =>
  `thalamus: the embedded database in ${dir} is in use by process ${pid} (a running \`thalamus serve\` or command): ` +
  'stop it first, or make this change through its HTTP API\n';

describe('one process per embedded data directory', () => {
  const dataDir = join(root, 'data');
  const env = { THALAMUS_DATA_DIR: dataDir };

  it('refuses a second server and the CLI while a server runs; after it stops, the CLI works and the server sees the change', async () => {
    const first = await serveProcess(BIN, env);
    try {
      const second = await failedServe(BIN, env);
      assert.deepEqual(second, { code: 1, stderr: inUse(dataDir, first.pid) });

      const add = await cli(['user', 'add', 'ITAGNU123ABC'], { env, stdin: 'a long new secret\n' });
      assert.deepEqual([add.code, add.stdout, add.stderr], [1, '', inUse(dataDir, first.pid)]);
      const show = await cli(['user', 'show', 'ESPGNU777ORG'], { env });
      assert.deepEqual([show.code, show.stderr], [1, inUse(dataDir, first.pid)]);

      // The running server is untouched by the refused attempts.
      const res = await fetch(`${first.url}/people/ESPGNU777ORG`, { headers: { authorization: basic('ESPGNU777ORG', 'gnusolidario') } });
      assert.equal(res.status, 200);
    } finally {
      assert.equal(await first.stop(), 0);
    }
    assert.equal(existsSync(join(dataDir, 'thalamus.lock')), false, 'the lock is released on a clean stop');

    const add = await cli(['user', 'add', 'ITAGNU123ABC'], { env, stdin: 'a long new secret\n' });
    assert.deepEqual([add.code, add.stdout, add.stderr], [0, 'created user ITAGNU123ABC with roles end_user\n', '']);
    const again = await serveProcess(BIN, env);
    try {
      const res = await fetch(`${again.url}/login`, { headers: { authorization: basic('ITAGNU123ABC', 'a long new secret') } });
      assert.deepEqual([res.status, await res.json()], [200, true]);
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });

  it('a server killed with SIGKILL leaves its lock behind, and the next start takes it over at once', async () => {
    const killed = await serveProcess(BIN, env);
    await killed.kill();
    assert.equal(existsSync(join(dataDir, 'thalamus.lock')), true, 'SIGKILL leaves the lock directory');
    const next = await serveProcess(BIN, env);
    try {
      const res = await next.ready();
      assert.deepEqual([res.status, await res.json()], [200, { status: 'ready', database: 'pglite' }]);
    } finally {
      assert.equal(await next.stop(), 0);
    }
  });

  it('a second open in the same process is refused too, and allowed once the first is closed', async () => {
    const dir = join(root, 'in-process');
    const db = await openPglite(dir);
    await assert.rejects(openPglite(dir), { name: 'DataDirInUseError', message: inUse(dir, process.pid).slice(10, -1) });
    await db.close();
    const reopened = await openPglite(dir);
    assert.deepEqual(await reopened.query('SELECT 1 AS one'), [{ one: 1 }]);
    await reopened.close();
  });

  it('a pid file naming a living program started at another time (a reused pid) does not block; the true holder does', async () => {
    const dir = join(root, 'reused-pid');
    mkdirSync(join(dir, 'thalamus.lock'), { recursive: true });
    const other = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      // Read at once: opening PGlite below may take a while on a busy machine.
      const started = readFileSync(`/proc/${other.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19];
      writeFileSync(join(dir, 'thalamus.pid'), `${other.pid} 1\n`);
      const db = await openPglite(dir);
      await db.close();
      mkdirSync(join(dir, 'thalamus.lock'));
      writeFileSync(join(dir, 'thalamus.pid'), `${other.pid} ${started}\n`);
      await assert.rejects(openPglite(dir), { name: 'DataDirInUseError', message: inUse(dir, other.pid!).slice(10, -1) });
    } finally {
      other.kill();
    }
  });
});
