// `thalamus serve` as a real process: answers /readyz, stops cleanly on SIGTERM, loads the demo data only once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/config.ts';

const BIN = join(PROJECT_ROOT, 'bin/thalamus.js');
const dataDir = join(mkdtempSync(join(tmpdir(), 'thalamus-serve-')), 'data');
after(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

interface Run {
  url: string;
  messages: string[];
  stop(): Promise<number | null>;
}

/** Starts `thalamus serve` on an ephemeral port and resolves once it logs its URL. */
function serve(): Promise<Run> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { PATH: process.env.PATH ?? '', THALAMUS_PORT: '0', THALAMUS_DATA_DIR: dataDir, THALAMUS_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const messages: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000);
    exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = String((JSON.parse(line) as { msg?: string }).msg ?? '');
      messages.push(msg);
      const url = /^Thalamus is serving on (\S+)/.exec(msg)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({ url, messages, stop: () => (child.kill('SIGTERM'), exited) });
    });
  });
}

const demoLoaded = (messages: string[]) => messages.some((m) => /loaded the demo accounts/.test(m));

describe('thalamus serve', () => {
  it('serves /readyz, exits 0 on SIGTERM, and loads the demo data into the empty embedded database', async () => {
    const run = await serve();
    const res = await fetch(`${run.url}/readyz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ready', database: 'pglite' });
    assert.equal(await run.stop(), 0);
    assert.ok(demoLoaded(run.messages), run.messages.join('\n'));
    assert.ok(run.messages.some((m) => /^SIGTERM received/.test(m)));
  });

  it('a second start on the same data directory reuses it and does not load the demo again', async () => {
    const run = await serve();
    const res = await fetch(`${run.url}/readyz`);
    assert.equal(res.status, 200);
    assert.equal(await run.stop(), 0);
    assert.equal(demoLoaded(run.messages), false, run.messages.join('\n'));
  });
});
