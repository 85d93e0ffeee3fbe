// TLS served directly (the clients' default is https://host:8443 with a self-signed certificate).
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { startServer, type RunningServer } from '../../src/main.ts';
import { basic } from '../helper.ts';

const TLS = join(import.meta.dirname, '..', 'fixtures', 'tls');
let server: RunningServer;
let dataDir: string;

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    // The fixture is self-signed, as the federation's default certificates are.
    const req = request(url, { headers, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'thalamus-tls-'));
  const config = loadConfig({
    THALAMUS_PORT: '0',
    THALAMUS_DATA_DIR: dataDir,
    THALAMUS_TLS_CERT: join(TLS, 'cert.pem'),
    THALAMUS_TLS_KEY: join(TLS, 'key.pem'),
    THALAMUS_LOG_LEVEL: 'silent',
  });
  server = await startServer(config);
});
after(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('serves HTTPS with HSTS, and the demo accounts log in over it', async () => {
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const ready = await get(`${server.url}/readyz`);
  assert.deepEqual([ready.status, JSON.parse(ready.body)], [200, { status: 'ready', database: 'pglite' }]);
  assert.equal(ready.headers['strict-transport-security'], 'max-age=31536000');
  const login = await get(`${server.url}/login`, { authorization: basic('ESPGNU777ORG', 'gnusolidario') });
  assert.deepEqual([login.status, login.body], [200, 'true']);
});
