// A rejected promise nobody handles, or an uncaught exception, in the server process: one fatal log line, then exit 1 (a supervisor restarts it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../src/paths.ts';

const fatalModule = pathToFileURL(join(PROJECT_ROOT, 'src/fatal.ts')).href;

/** Runs a process that installs the handlers with a pino logger on stdout, then does `trigger`. */
function run(trigger: string) {
  const script = `import pino from 'pino'; import { exitOnFatalErrors } from '${fatalModule}';
exitOnFatalErrors(pino()); ${trigger}; setTimeout(() => console.log('still running'), 2000);`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  const lines = child.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } });
  return { code: child.status, lines };
}

for (const [what, trigger, msg, message] of [
  ['a rejected promise nobody handles', "void Promise.reject(new Error('lost'))", 'unhandled promise rejection', 'lost'],
  ['an uncaught exception', "setTimeout(() => { throw new Error('thrown'); }, 10)", 'uncaught exception', 'thrown'],
] as const) {
  test(`${what} is logged as fatal and the process exits 1`, () => {
    const { code, lines } = run(trigger);
    assert.equal(code, 1);
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.deepEqual(
      [lines[0].level, lines[0].msg, lines[0].err?.message],
      [60, `${msg}: exiting so that a fresh process takes over`, message],
    );
  });
}
