// Mutual TLS: a client certificate the CA verified authenticates its subject CN's account, under the same roles.cfg as Basic.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/db.ts';
import { httpsOptions } from '../../src/startup/tls.ts';
import { ANA, CAMERON, asAna, asRoot, basic, eachBackend, seededDb, testConfig } from '../helper.ts';
import { httpsGet, type HttpsCall } from '../https-call.ts';
import { makeAuthority, type Issued } from '../tls-certs.ts';

const UNAUTHORIZED = { error: 'Unauthorized Access' };

eachBackend('client certificates', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'thalamus-mtls-'));
  const ca = makeAuthority('Federation Test CA');
  const stranger = makeAuthority('Some Other CA');
  const server = ca.issue({ cn: 'localhost', server: true });
  const certs: Record<string, Issued> = {};
  let db: Db;
  const apps: FastifyInstance[] = [];
  const urls = { require: '', request: '' };

  before(async () => {
    for (const cn of [ANA.id, CAMERON.id, 'NOSUCH000ACC', 'IDLEPS000NOW']) certs[cn] = ca.issue({ cn });
    certs.untrusted = stranger.issue({ cn: ANA.id });
    writeFileSync(join(dir, 'cert.pem'), server.cert);
    writeFileSync(join(dir, 'key.pem'), server.key);
    writeFileSync(join(dir, 'ca.pem'), ca.cert);
    db = await seededDb(backend);
    for (const mode of ['require', 'request'] as const) {
      const config = testConfig({
        THALAMUS_TLS_CERT: join(dir, 'cert.pem'),
        THALAMUS_TLS_KEY: join(dir, 'key.pem'),
        THALAMUS_TLS_CA: join(dir, 'ca.pem'),
        THALAMUS_TLS_CLIENT_CERT: mode,
      });
      const app = await buildApp({ config, db, logger: false, https: httpsOptions(config) });
      apps.push(app);
      urls[mode] = await app.listen({ port: 0, host: '127.0.0.1' });
    }
    // An account that exists but may not sign in: a certificate for it is no way around that.
    const made = await apps[0].inject({
      method: 'POST',
      url: '/people/IDLEPS000NOW',
      headers: asRoot,
      payload: { id: 'IDLEPS000NOW', name: 'Idle', lastname: 'Person', active: false, roles: ['end_user'] },
    });
    assert.equal(made.statusCode, 200, made.body);
  });
  after(async () => {
    for (const app of apps) await app.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const as = (who: string, more: Partial<HttpsCall> = {}): HttpsCall => ({ ca: ca.cert, client: certs[who], ...more });
  const json = (answer: { status: number; body: string }) => [answer.status, JSON.parse(answer.body) as unknown];

  describe('THALAMUS_TLS_CLIENT_CERT=require', () => {
    test("a verified certificate signs in as its CN's account, with that account's roles", async () => {
      const login = await httpsGet(`${urls.require}/login`, as(ANA.id));
      assert.deepEqual([login.status, login.body], [200, 'true']);
      const viaBasic = await apps[0].inject({ method: 'GET', url: `/people/${ANA.id}`, headers: asAna });
      const own = await httpsGet(`${urls.require}/people/${ANA.id}`, as(ANA.id));
      assert.deepEqual(json(own), [200, viaBasic.json()]);
      const other = await httpsGet(`${urls.require}/people/${CAMERON.id}`, as(ANA.id));
      assert.deepEqual(json(other), [403, { error: 'Not permitted: GET person of another person' }]);
      // A health professional's role is global.
      const professional = await httpsGet(`${urls.require}/people/${ANA.id}`, as(CAMERON.id));
      assert.deepEqual(json(professional), [200, viaBasic.json()]);
    });

    test('a verified certificate whose CN is no account, or an inactive one, is 401', async () => {
      for (const who of ['NOSUCH000ACC', 'IDLEPS000NOW']) {
        const res = await httpsGet(`${urls.require}/login`, as(who));
        assert.deepEqual(json(res), [401, UNAUTHORIZED], who);
        assert.equal(res.headers['www-authenticate'], 'Basic realm="Thalamus", charset="UTF-8"');
      }
    });

    test('an Authorization header decides over the certificate, either way', async () => {
      const cameron = await httpsGet(
        `${urls.require}/people`,
        as(ANA.id, { headers: { authorization: basic(CAMERON.id, CAMERON.password) } }),
      );
      assert.equal(cameron.status, 200);
      const wrong = await httpsGet(`${urls.require}/login`, as(ANA.id, { headers: { authorization: basic(ANA.id, 'not her password') } }));
      assert.deepEqual(json(wrong), [401, UNAUTHORIZED]);
    });

    test('no certificate, or one another CA issued, is refused in the TLS handshake', async () => {
      await assert.rejects(httpsGet(`${urls.require}/healthz`, { ca: ca.cert }), (err: NodeJS.ErrnoException) => {
        assert.match(String(err.code), /^(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET|EPIPE)$/);
        return true;
      });
      await assert.rejects(httpsGet(`${urls.require}/healthz`, as('untrusted')), (err: NodeJS.ErrnoException) => {
        assert.match(String(err.code), /^(ERR_SSL_TLSV1_ALERT_UNKNOWN_CA|ECONNRESET|EPIPE)$/);
        return true;
      });
    });

    test("a certificate's failed sign-in is audited under the account it named", async () => {
      await httpsGet(`${urls.require}/login`, as('NOSUCH000ACC'));
      await apps[0].audit.flush();
      const trail = await apps[0].inject({ method: 'GET', url: '/audit?limit=1&actor=NOSUCH000ACC', headers: asRoot });
      const [entry] = trail.json<{ actor: string; action: string; outcome: string; status: number }[]>();
      assert.deepEqual(
        { actor: entry.actor, action: entry.action, outcome: entry.outcome, status: entry.status },
        { actor: 'NOSUCH000ACC', action: 'login', outcome: 'failed', status: 401 },
      );
    });
  });

  describe('THALAMUS_TLS_CLIENT_CERT=request', () => {
    test('without a certificate, Basic works as ever, and no credentials are 401', async () => {
      const login = await httpsGet(`${urls.request}/login`, { ca: ca.cert, headers: asAna });
      assert.deepEqual([login.status, login.body], [200, 'true']);
      assert.deepEqual(json(await httpsGet(`${urls.request}/login`, { ca: ca.cert })), [401, UNAUTHORIZED]);
    });

    test('a verified certificate signs in; one the CA did not issue authenticates nobody, and Basic still works beside it', async () => {
      const login = await httpsGet(`${urls.request}/login`, as(ANA.id));
      assert.deepEqual([login.status, login.body], [200, 'true']);
      assert.deepEqual(json(await httpsGet(`${urls.request}/login`, as('untrusted'))), [401, UNAUTHORIZED]);
      const withBasic = await httpsGet(`${urls.request}/login`, as('untrusted', { headers: asAna }));
      assert.deepEqual([withBasic.status, withBasic.body], [200, 'true']);
    });
  });
});
