// The compiled server runs from dist/ alone: built into an empty folder with no src/, it migrates, serves and authenticates.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { ANA, basic } from '../helper.ts';
import { serveProcess } from './serve-process.ts';

const pkg = mkdtempSync(join(tmpdir(), 'thalamus-dist-'));
after(() => rmSync(pkg, { recursive: true, force: true }));

describe('the compiled build', () => {
  it('`npm run build` into a folder without src/ gives a server that starts, migrates, loads the demo and checks passwords', async () => {
    const built = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts/build.js'), join(pkg, 'dist')], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stdout + built.stderr);
    // What an installed package holds besides dist/: the command, the shipped roles.cfg, the demo data, the manifest.
    for (const name of ['bin', 'etc', 'demo', 'package.json']) cpSync(join(PROJECT_ROOT, name), join(pkg, name), { recursive: true });
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(pkg, 'node_modules'));
    assert.equal(existsSync(join(pkg, 'src')), false);

    const run = await serveProcess(join(pkg, 'bin/thalamus.js'), { THALAMUS_DATA_DIR: join(pkg, 'data') });
    try {
      assert.deepEqual(await (await run.ready()).json(), { status: 'ready', database: 'pglite' });
      // The migrations ran from dist/db/migrations, the demo came from demo/, and bcrypt ran on dist/auth/bcrypt-worker.mjs.
      const headers = { authorization: basic(ANA.id, ANA.password) };
      const person = await fetch(`${run.url}/people/${ANA.id}`, { headers });
      assert.equal(person.status, 200);
      assert.equal(((await person.json()) as { name?: unknown }).name, 'Ana');
      assert.equal((await fetch(`${run.url}/login`, { headers: { authorization: basic(ANA.id, 'wrong') } })).status, 401);
    } finally {
      assert.equal(await run.stop(), 0);
    }
  });
});
