// `thalamus serve` as a real process: answers /readyz, stops cleanly on SIGTERM, loads the demo data only once, outlives SIGHUP.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { serveProcess } from './serve-process.ts';

const BIN = join(PROJECT_ROOT, 'bin/thalamus.js');
const dataDir = join(mkdtempSync(join(tmpdir(), 'thalamus-serve-')), 'data');
after(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

/** Starts `thalamus serve` from the sources on an ephemeral port, on this file's data directory. */
const serve = () => serveProcess(BIN, { THALAMUS_DATA_DIR: dataDir });

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

  it('a second start on the same data directory reuses it and does not load the demo again; SIGHUP without TLS is logged, not fatal', async () => {
    const run = await serve();
    const res = await fetch(`${run.url}/readyz`);
    assert.equal(res.status, 200);
    // systemctl reload sends SIGHUP, whose default action would end the process.
    process.kill(run.pid, 'SIGHUP');
    const said = 'SIGHUP: not serving TLS (THALAMUS_TLS_CERT is not set), nothing to reload';
    for (let i = 0; i < 300 && !run.messages.includes(said); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(run.messages.includes(said), run.messages.join('\n'));
    assert.equal((await fetch(`${run.url}/readyz`)).status, 200);
    assert.equal(await run.stop(), 0);
    assert.equal(demoLoaded(run.messages), false, run.messages.join('\n'));
  });
});
