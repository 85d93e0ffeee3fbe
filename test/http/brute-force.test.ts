// Brute-force protection: the per-account lockout (5 failures, 1 min doubling to 15) and the per-address limit, both in the database.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import bcrypt from 'bcrypt';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { ANA, CAMERON, ROOT, basic, eachBackend, testConfig, useApp } from '../helper.ts';

const ACCOUNT_LOCKED = /^Too many failed logins for this account; try again in (\d+) seconds$/;
const ADDRESS_LIMITED = /^Too many failed logins from your address; try again in (\d+) seconds$/;

/** A 429's Retry-After, checked to be the same number of seconds as its message says. */
function retryAfter(res: { statusCode: number; headers: Record<string, unknown>; json: <T>() => T }, pattern: RegExp): number {
  assert.equal(res.statusCode, 429);
  const match = pattern.exec(res.json<{ error: string }>().error);
  assert.ok(match, res.json<{ error: string }>().error);
  assert.equal(res.headers['retry-after'], match[1]);
  return Number(match[1]);
}

eachBackend('account lockout', (backend) => {
  // No address limit here: every request comes from one test address.
  const ctx = useApp(backend, { THALAMUS_AUTH_FAILURES_PER_ADDRESS: '0' });
  const login = (id: string, password: string, remoteAddress = '10.1.0.1') =>
    ctx.app.inject({ method: 'GET', url: '/login', headers: { authorization: basic(id, password) }, remoteAddress });
  const addUser = async (id: string, password: string) =>
    ctx.db.query('INSERT INTO people (id, data) VALUES ($1, $2::jsonb)', [
      id,
      JSON.stringify({ id, roles: ['end_user'], active: true, password: await bcrypt.hash(password, 10) }),
    ]);
  const expireLock = (id: string) =>
    ctx.db.query("UPDATE auth_account_failures SET locked_until = now() - interval '1 second' WHERE account = $1", [id]);
  const failFiveTimes = async (id: string) => {
    for (let i = 0; i < 5; i++) assert.equal((await login(id, `wrong ${i}`, `10.1.1.${i}`)).statusCode, 401);
  };

  test('five wrong passwords lock the account for a minute: 429 even to the right one; other accounts go on', async () => {
    await addUser('ESPLCK001ABC', 'the right password');
    await failFiveTimes('ESPLCK001ABC');
    const locked = await login('ESPLCK001ABC', 'the right password');
    const seconds = retryAfter(locked, ACCOUNT_LOCKED);
    assert.ok(seconds >= 58 && seconds <= 60, String(seconds));
    assert.deepEqual([(await login(ANA.id, ANA.password)).statusCode], [200]);
  });

  test('the lock always expires; the right password then works and clears the failures', async () => {
    await expireLock('ESPLCK001ABC');
    assert.deepEqual([(await login('ESPLCK001ABC', 'the right password')).statusCode], [200]);
    assert.deepEqual(await ctx.db.query('SELECT account FROM auth_account_failures WHERE account = $1', ['ESPLCK001ABC']), []);
    // Cleared: four more failures do not lock it.
    for (let i = 0; i < 4; i++) await login('ESPLCK001ABC', 'wrong');
    assert.equal((await login('ESPLCK001ABC', 'the right password')).statusCode, 200);
  });

  test('each further lock doubles, up to 15 minutes', async (t) => {
    await addUser('ESPLCK002ABC', 'the right password');
    const seen: number[] = [];
    for (let round = 0; round < 6; round++) {
      await failFiveTimes('ESPLCK002ABC');
      seen.push(retryAfter(await login('ESPLCK002ABC', 'the right password'), ACCOUNT_LOCKED));
      await expireLock('ESPLCK002ABC');
    }
    t.diagnostic(`Retry-After of six successive locks: ${seen.join(', ')} s`);
    const expected = [60, 120, 240, 480, 900, 900];
    seen.forEach((s, i) => assert.ok(s <= expected[i] && s >= expected[i] - 2, `lock ${i + 1}: ${s} s, expected ${expected[i]}`));
  });

  test('credentials the server remembers are refused too while the account is locked', async () => {
    assert.equal((await login(CAMERON.id, CAMERON.password)).statusCode, 200);
    await failFiveTimes(CAMERON.id);
    retryAfter(await login(CAMERON.id, CAMERON.password), ACCOUNT_LOCKED);
    await expireLock(CAMERON.id);
    assert.equal((await login(CAMERON.id, CAMERON.password)).statusCode, 200);
  });

  test('an unknown account id locks the same way: a lockout does not tell who exists', async () => {
    await failFiveTimes('NOPNOP000NOP');
    retryAfter(await login('NOPNOP000NOP', 'anything'), ACCOUNT_LOCKED);
  });
});

eachBackend('failed logins per address', (backend) => {
  const ctx = useApp(backend, { THALAMUS_AUTH_FAILURES_PER_ADDRESS: '5' });
  const login = (id: string, password: string, remoteAddress: string, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method: 'GET', url: '/login', headers: { authorization: basic(id, password), ...headers }, remoteAddress });
  let second: FastifyInstance;
  before(async () => {
    // Another instance on the same database: the counts are shared.
    second = await buildApp({ config: testConfig({ THALAMUS_AUTH_FAILURES_PER_ADDRESS: '5' }), db: ctx.db, logger: false });
  });
  after(() => second?.close());

  test('past the limit an address gets 429 before any password check; other addresses and remembered logins go on', async () => {
    assert.equal((await login(ANA.id, ANA.password, '10.2.0.9')).statusCode, 200, 'Ana signs in once from the shared address');
    for (let i = 0; i < 5; i++) assert.equal((await login(`NOPNOP00${i}NOP`, 'guess', '10.2.0.9')).statusCode, 401);
    const limited = await login(CAMERON.id, CAMERON.password, '10.2.0.9');
    const seconds = retryAfter(limited, ADDRESS_LIMITED);
    assert.ok(seconds >= 1 && seconds <= 60, String(seconds));
    assert.equal((await login(CAMERON.id, CAMERON.password, '10.2.0.10')).statusCode, 200);
    // Ana's verified credentials need no password check: a colleague behind the same NAT is not locked out.
    assert.equal((await login(ANA.id, ANA.password, '10.2.0.9')).statusCode, 200);
  });

  test('every instance on the database agrees, and the window ends', async () => {
    const onSecond = await second.inject({
      method: 'GET',
      url: '/login',
      headers: { authorization: basic(CAMERON.id, CAMERON.password) },
      remoteAddress: '10.2.0.9',
    });
    retryAfter(onSecond, ADDRESS_LIMITED);
    for (let i = 0; i < 5; i++) await login(`NOPNOP01${i}NOP`, 'guess', '10.2.0.11');
    retryAfter(await login(ROOT.id, ROOT.password, '10.2.0.11'), ADDRESS_LIMITED);
    await ctx.db.query("UPDATE auth_address_failures SET window_start = now() - interval '61 seconds' WHERE address = '10.2.0.11'");
    const later = await second.inject({
      method: 'GET',
      url: '/login',
      headers: { authorization: basic(ROOT.id, ROOT.password) },
      remoteAddress: '10.2.0.11',
    });
    assert.deepEqual([later.statusCode, later.json()], [200, true]);
  });

  test('an IPv6 client counts by its /64; X-Forwarded-For is not believed unless THALAMUS_TRUST_PROXY says so', async () => {
    await login('NOPNOP020NOP', 'guess', '2001:db8:1:2::5');
    await login('NOPNOP021NOP', 'guess', '2001:db8:1:2:ffff::1', { 'x-forwarded-for': '203.0.113.9' });
    const rows = await ctx.db.query<{ address: string; failures: number }>(
      "SELECT address, failures FROM auth_address_failures WHERE address LIKE '2001:db8%' OR address = '203.0.113.9'",
    );
    assert.deepEqual(rows, [{ address: '2001:db8:1:2::/64', failures: 2 }]);
  });
});

eachBackend('failed logins behind a trusted proxy', (backend) => {
  const ctx = useApp(backend, { THALAMUS_TRUST_PROXY: '10.3.0.1' });
  const failures = async (address: string) =>
    (await ctx.db.query<{ failures: number }>('SELECT failures FROM auth_address_failures WHERE address = $1', [address]))[0]?.failures;

  test("the proxy's X-Forwarded-For names the client; anyone else's is ignored", async () => {
    const headers = { authorization: basic('NOPNOP030NOP', 'guess'), 'x-forwarded-for': '203.0.113.7' };
    assert.equal((await ctx.app.inject({ method: 'GET', url: '/login', headers, remoteAddress: '10.3.0.1' })).statusCode, 401);
    assert.equal((await ctx.app.inject({ method: 'GET', url: '/login', headers, remoteAddress: '10.3.0.2' })).statusCode, 401);
    assert.deepEqual([await failures('203.0.113.7'), await failures('10.3.0.1'), await failures('10.3.0.2')], [1, undefined, 1]);
  });
});
