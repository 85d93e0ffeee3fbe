// `npm test`: builds the seeded PGlite template once, then runs every test file with node:test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const only = process.argv.slice(2);
function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}
const files = only.length ? only : find('test').sort();
const dir = mkdtempSync(join(tmpdir(), 'thalamus-test-'));
const template = join(dir, 'template.tar');
const env = { ...process.env, THALAMUS_TEST_TEMPLATE: template };
try {
  const made = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/make-test-template.ts', template], { stdio: 'inherit', env });
  if (made.status !== 0) process.exit(made.status ?? 1);
  const concurrency = process.env.THALAMUS_TEST_CONCURRENCY || '3';
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], {
    stdio: 'inherit',
    env,
  });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
