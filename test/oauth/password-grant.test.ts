// POST /oauth2/token with grant_type=password: the token, its claims, and each RFC 6749 §5.2 error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import bcrypt from 'bcrypt';
import { decodeProtectedHeader } from 'jose';
import { insertPerson } from '../../src/store/people.ts';
import { ANA, CAMERON, basic, eachBackend, useApp } from '../helper.ts';
import { NO_STORE, oauthError, tokenRequest, verifiedClaims } from './oauth-helpers.ts';

const ISSUER = 'https://thalamus.example.org';
const WRONG = oauthError('invalid_grant', 'The account id or password is wrong, or the account may not sign in');

eachBackend('password grant', (backend) => {
  const ctx = useApp(backend, { THALAMUS_ISSUER: ISSUER });
  const asAccount = (who: { id: string; password: string }, extra: Record<string, string> = {}) =>
    tokenRequest(ctx.app, { grant_type: 'password', username: who.id, password: who.password, ...extra });

  test('a token for Ana: the RFC 6749 answer, never cached, an ES256 at+jwt with every claim', async () => {
    const res = await asAccount(ANA);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['cache-control'], NO_STORE['cache-control']);
    assert.equal(res.headers.pragma, NO_STORE.pragma);
    const body = res.json<{ access_token: string; refresh_token: string }>();
    assert.deepEqual(
      { ...body, access_token: typeof body.access_token, refresh_token: typeof body.refresh_token },
      {
        access_token: 'string',
        token_type: 'Bearer',
        expires_in: 600,
        scope: 'end_user',
        refresh_token: 'string',
      },
    );
    assert.match(body.refresh_token, /^[A-Za-z0-9_-]{43}$/);
    const header = decodeProtectedHeader(body.access_token);
    assert.deepEqual([header.alg, header.typ, typeof header.kid], ['ES256', 'at+jwt', 'string']);
    const claims = await verifiedClaims(ctx.app, body.access_token);
    const { iat, exp, jti, fp, fam, ...rest } = claims;
    assert.match(String(fam), /^[0-9a-f-]{36}$/);
    assert.deepEqual(rest, { iss: ISSUER, sub: ANA.id, aud: 'thalamus', scope: 'end_user', roles: ['end_user'], sub_kind: 'person' });
    assert.equal(Number(exp) - Number(iat), 600);
    assert.ok(Math.abs(Number(iat) - Date.now() / 1000) < 60);
    assert.match(String(jti), /^[0-9a-f-]{36}$/);
    assert.match(String(fp), /^[\w-]{22}$/);
    const again = await verifiedClaims(ctx.app, (await asAccount(ANA)).json<{ access_token: string }>().access_token);
    assert.notEqual(again.jti, jti);
  });

  test('the account as Basic credentials, as the existing clients send it (curl -u)', async () => {
    const res = await tokenRequest(ctx.app, { grant_type: 'password' }, { authorization: basic(ANA.id, ANA.password) });
    assert.equal(res.statusCode, 200, res.body);
    const claims = await verifiedClaims(ctx.app, res.json<{ access_token: string }>().access_token);
    assert.equal(claims.sub, ANA.id);
    const wrong = await tokenRequest(ctx.app, { grant_type: 'password' }, { authorization: basic(ANA.id, 'nope') });
    assert.deepEqual([wrong.statusCode, wrong.json()], [400, WRONG]);
  });

  test('scope names the roles the token carries: all by default, fewer when asked, never one not held', async () => {
    const all = await asAccount(CAMERON);
    assert.equal(all.json<{ scope: string }>().scope, 'end_user health_professional');
    const fewer = await asAccount(CAMERON, { scope: 'end_user' });
    assert.equal(fewer.statusCode, 200);
    const claims = await verifiedClaims(ctx.app, fewer.json<{ access_token: string }>().access_token);
    assert.deepEqual([claims.scope, claims.roles], ['end_user', ['end_user']]);
    const more = await asAccount(ANA, { scope: 'end_user root' });
    assert.deepEqual(
      [more.statusCode, more.json()],
      [400, oauthError('invalid_scope', 'Not granted: root (the scope names roles the subject holds: end_user)')],
    );
  });

  test('wrong password, unknown account, inactive account, no password: the same invalid_grant', async () => {
    const hash = await bcrypt.hash('secret-secret', 4);
    await insertPerson(ctx.db, { actor: 'test', node: null }, 'INACTV001PWD', {
      id: 'INACTV001PWD',
      active: false,
      roles: ['end_user'],
      password: hash,
    });
    await insertPerson(ctx.db, { actor: 'test', node: null }, 'HMINOP002PWD', { id: 'HMINOP002PWD', roles: ['end_user'] });
    for (const who of [
      { id: ANA.id, password: 'wrong' },
      { id: 'NOPNOP000NOP', password: 'gnusolidario' },
      { id: 'INACTV001PWD', password: 'secret-secret' },
      { id: 'HMINOP002PWD', password: 'anything' },
    ]) {
      const res = await asAccount(who);
      assert.deepEqual([res.statusCode, res.json(), res.headers['cache-control']], [400, WRONG, 'no-store'], who.id);
    }
  });

  test('brute-force protection: 5 wrong passwords lock the account id, then even the right one gets 429 with Retry-After', async () => {
    await insertPerson(ctx.db, { actor: 'test', node: null }, 'LOCKED001PWD', {
      id: 'LOCKED001PWD',
      active: true,
      roles: ['end_user'],
      password: await bcrypt.hash('right password', 4),
    });
    for (let i = 0; i < 5; i++) {
      const res = await asAccount({ id: 'LOCKED001PWD', password: `wrong ${i}` });
      assert.deepEqual([res.statusCode, res.json()], [400, WRONG]);
    }
    const locked = await asAccount({ id: 'LOCKED001PWD', password: 'right password' });
    assert.equal(locked.statusCode, 429);
    assert.deepEqual(
      locked.json(),
      oauthError(
        'temporarily_unavailable',
        `Too many failed logins for this account; try again in ${locked.headers['retry-after']} seconds`,
      ),
    );
    assert.ok(Number(locked.headers['retry-after']) > 0 && Number(locked.headers['retry-after']) <= 60);
    const basicToo = await ctx.app.inject({
      method: 'GET',
      url: '/login',
      headers: { authorization: basic('LOCKED001PWD', 'right password') },
    });
    assert.equal(basicToo.statusCode, 429, 'the same lock as Basic');
  });

  test('malformed requests: invalid_request, unsupported_grant_type, invalid_client', async () => {
    const cases: [Record<string, string | string[]>, Record<string, string>, number, object][] = [
      [{}, {}, 400, oauthError('invalid_request', 'grant_type is missing')],
      [
        { grant_type: 'authorization_code', code: 'x' },
        {},
        400,
        oauthError(
          'unsupported_grant_type',
          'grant_type authorization_code is not supported (supported: password, client_credentials, refresh_token)',
        ),
      ],
      [{ grant_type: 'password', username: ANA.id }, {}, 400, oauthError('invalid_request', 'password is missing')],
      [
        { grant_type: 'password' },
        {},
        400,
        oauthError('invalid_request', 'username and password are required (or the account as Basic credentials)'),
      ],
      [
        { grant_type: 'password', username: [ANA.id, CAMERON.id], password: 'x' },
        {},
        400,
        oauthError('invalid_request', 'The parameter username is repeated'),
      ],
      [
        { grant_type: 'password', username: ANA.id, password: ANA.password },
        { authorization: basic('no-such-client', 's') },
        401,
        oauthError('invalid_client', 'No registered client has these credentials'),
      ],
    ];
    for (const [params, headers, status, body] of cases) {
      const res = await tokenRequest(ctx.app, params, headers);
      assert.deepEqual([res.statusCode, res.json()], [status, body], JSON.stringify(params));
      if (status === 401) assert.equal(res.headers['www-authenticate'], 'Basic realm="Thalamus", charset="UTF-8"');
    }
  });

  test('a browser application of another origin may post its form (the cross-site guard leaves the token endpoint alone)', async () => {
    const res = await tokenRequest(
      ctx.app,
      { grant_type: 'password', username: ANA.id, password: ANA.password },
      { origin: 'https://portal.example.org', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' },
    );
    assert.equal(res.statusCode, 200, res.body);
  });

  test('a JSON body is refused: the token endpoint takes forms (RFC 6749 §3.2)', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ grant_type: 'password', username: ANA.id, password: ANA.password }),
    });
    assert.deepEqual(
      [res.statusCode, res.json()],
      [400, oauthError('invalid_request', 'The body must be application/x-www-form-urlencoded (RFC 6749 §3.2)')],
    );
  });
});
