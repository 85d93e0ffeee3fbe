// SIGHUP reloads the TLS certificate, key and client CA of a running `thalamus serve`: new connections get them, open ones are kept.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { ANA } from '../helper.ts';
import { httpsGet } from '../https-call.ts';
import { makeAuthority, type Issued } from '../tls-certs.ts';
import { serveProcess, type ServeRun } from './serve-process.ts';

const BIN = join(PROJECT_ROOT, 'bin/thalamus.js');
const dir = mkdtempSync(join(tmpdir(), 'thalamus-tls-reload-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const files = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), ca: join(dir, 'ca.pem') };
function install(server: Issued, ca: Issued): void {
  writeFileSync(files.cert, server.cert);
  writeFileSync(files.key, server.key);
  writeFileSync(files.ca, ca.cert);
}

/** Sends SIGHUP and waits for the server's log line about it (the reload is done when it is logged). */
async function hangUp(run: ServeRun, expected: RegExp): Promise<string> {
  const seen = run.messages.length;
  process.kill(run.pid, 'SIGHUP');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = run.messages.slice(seen).find((m) => expected.test(m));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no log line ${expected} after SIGHUP: ${run.messages.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('SIGHUP: new connections get the new certificate and CA, open ones keep theirs, and bad files change nothing', async () => {
  const [one, two] = [makeAuthority('Federation CA one'), makeAuthority('Federation CA two')];
  const [serverOne, serverTwo] = [one.issue({ cn: 'localhost', server: true }), two.issue({ cn: 'localhost', server: true })];
  const [anaOne, anaTwo] = [one.issue({ cn: ANA.id }), two.issue({ cn: ANA.id })];
  install(serverOne, one);
  const run = await serveProcess(BIN, {
    THALAMUS_DATA_DIR: join(dir, 'data'),
    THALAMUS_TLS_CERT: files.cert,
    THALAMUS_TLS_KEY: files.key,
    THALAMUS_TLS_CA: files.ca,
    THALAMUS_TLS_CLIENT_CERT: 'request',
  });
  const bothCas = [one.cert, two.cert];
  const kept = new Agent({ keepAlive: true, maxSockets: 1, ca: bothCas });
  try {
    const before = await httpsGet(`${run.url}/healthz`, { ca: bothCas, agent: kept });
    assert.deepEqual([before.status, before.served], [200, serverOne.fingerprint256]);
    const loginOne = await httpsGet(`${run.url}/login`, { ca: bothCas, client: anaOne });
    assert.deepEqual([loginOne.status, loginOne.body], [200, 'true']);

    install(serverTwo, two);
    const reloaded = await hangUp(run, /^SIGHUP: TLS/);
    assert.match(reloaded, /^SIGHUP: TLS certificate, key and client CA reloaded from disk \(CN=localhost, valid until .+\)$/);
    // The connection opened before the reload is still open, and still the old certificate's.
    const still = await httpsGet(`${run.url}/healthz`, { ca: bothCas, agent: kept });
    assert.deepEqual([still.status, still.reused, still.served], [200, true, serverOne.fingerprint256]);
    const fresh = await httpsGet(`${run.url}/healthz`, { ca: two.cert });
    assert.deepEqual([fresh.status, fresh.served], [200, serverTwo.fingerprint256]);
    // The new CA vouches for its clients; the old one's certificates no longer sign anyone in.
    const loginTwo = await httpsGet(`${run.url}/login`, { ca: two.cert, client: anaTwo });
    assert.deepEqual([loginTwo.status, loginTwo.body], [200, 'true']);
    const stale = await httpsGet(`${run.url}/login`, { ca: two.cert, client: anaOne });
    assert.deepEqual([stale.status, JSON.parse(stale.body)], [401, { error: 'Unauthorized Access' }]);

    // A key that is not the certificate's: one line, and the server goes on with what it had.
    writeFileSync(files.key, anaTwo.key);
    const refused = await hangUp(run, /^SIGHUP: TLS/);
    assert.equal(
      refused,
      `SIGHUP: TLS files not reloaded, still serving the previous certificate: THALAMUS_TLS_KEY: ${files.key} does not match the certificate in THALAMUS_TLS_CERT (${files.cert}): give the key the certificate was issued for`,
    );
    const after = await httpsGet(`${run.url}/healthz`, { ca: two.cert });
    assert.deepEqual([after.status, after.served], [200, serverTwo.fingerprint256]);
  } finally {
    kept.destroy();
    assert.equal(await run.stop(), 0);
  }
});
