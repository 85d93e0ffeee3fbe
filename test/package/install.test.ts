// The installable package: `npm pack` ships only what runs, `npm install -g` of the tarball gives a `thalamus` that serves from any folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { ANA, basic } from '../helper.ts';
import { serveProcess } from '../cli/serve-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'thalamus-package-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** What a checkout holds, without what is made or fetched (the package is packed from this copy, so the checkout's own dist/ is never touched). */
const NOT_COPIED = new Set(['node_modules', '.git', 'dist', 'data', 'test-output']);

function npm(args: string[], cwd: string, timeoutMs: number) {
  const run = spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  assert.equal(run.status, 0, `npm ${args.join(' ')}: ${run.error?.message ?? ''}\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

describe('the npm package', () => {
  it('packs only bin/, dist/, demo/, etc/, deploy/ and the documents; installed with npm install -g it serves from any folder, its data under ~/.local/share/thalamus', async () => {
    const checkout = join(dir, 'checkout');
    for (const name of readdirSync(PROJECT_ROOT)) {
      if (!NOT_COPIED.has(name)) cpSync(join(PROJECT_ROOT, name), join(checkout, name), { recursive: true });
    }
    // The build (prepack) needs TypeScript: the checkout's own modules.
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(checkout, 'node_modules'));

    // prepack compiles src/ into dist/ first.
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], checkout, 300_000).replace(/^[^[]*/, '')) as {
      filename: string;
      files: { path: string }[];
    }[];
    const paths = packed[0].files.map((f) => f.path).sort();
    const outside = paths.filter(
      (p) => !/^(bin|dist|demo|etc|deploy)\//.test(p) && !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(p),
    );
    assert.deepEqual(outside, []);
    assert.deepEqual(
      paths.filter((p) => p.endsWith('.ts')),
      [],
      'no TypeScript sources or tests',
    );
    for (const needed of [
      'bin/thalamus.js',
      'dist/cli/main.js',
      'dist/db/migrations/001-reference-schema.sql',
      'dist/auth/bcrypt-worker.mjs',
      'etc/roles.cfg',
      'demo/people.json',
    ]) {
      assert.ok(paths.includes(needed), needed);
    }

    // Dependencies come from npm's cache (filled by `npm ci`), the registry only for what it lacks.
    const prefix = join(dir, 'prefix');
    npm(
      ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(dir, packed[0].filename)],
      dir,
      300_000,
    );
    const command = join(prefix, 'bin', 'thalamus');
    assert.ok(existsSync(command));
    assert.equal(existsSync(join(prefix, 'lib/node_modules/thalamus/src')), false);

    // A user's shell in some other folder, with no THALAMUS_* setting at all.
    const home = join(dir, 'home');
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    const run = await serveProcess(command, { HOME: home }, [], { cwd: elsewhere });
    try {
      assert.deepEqual(await (await run.ready()).json(), { status: 'ready', database: 'pglite' });
      const login = await fetch(`${run.url}/login`, { headers: { authorization: basic(ANA.id, ANA.password) } });
      assert.deepEqual([login.status, await login.text()], [200, 'true']);
    } finally {
      assert.equal(await run.stop(), 0);
    }
    assert.ok(existsSync(join(home, '.local/share/thalamus/PG_VERSION')));
    assert.deepEqual(readdirSync(elsewhere), []);
  });
});
