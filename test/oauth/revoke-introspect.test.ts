// POST /oauth2/revoke (RFC 7009) and POST /oauth2/introspect (RFC 7662): answers, who may ask, and the effect on the API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANA, CAMERON, ROOT, asAna, asCameron, asRoot, eachBackend, useApp } from '../helper.ts';
import { NO_STORE, bearer, oauthError, passwordToken, postForm, verifiedClaims } from './oauth-helpers.ts';

const INACTIVE = { active: false };

eachBackend('revocation and introspection', (backend) => {
  const ctx = useApp(backend);
  const revoke = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    postForm(ctx.app, '/oauth2/revoke', params, headers);
  const introspect = (params: Record<string, string>, headers: Record<string, string>) =>
    postForm(ctx.app, '/oauth2/introspect', params, headers);
  const reads = async (token: string) => (await ctx.app.inject({ method: 'GET', url: '/login', headers: bearer(token) })).statusCode;

  test('introspection of a valid token: active, with its claims and the roles the API grants now; never cached', async () => {
    const token = await passwordToken(ctx.app, CAMERON);
    const claims = await verifiedClaims(ctx.app, token);
    const res = await introspect({ token }, asCameron);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], NO_STORE['cache-control']);
    assert.deepEqual(res.json(), {
      active: true,
      scope: 'end_user health_professional',
      username: CAMERON.id,
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      sub: CAMERON.id,
      aud: 'thalamus',
      iss: claims.iss,
      jti: claims.jti,
      roles: ['end_user', 'health_professional'],
      sub_kind: 'person',
    });
    // The token itself may authenticate the question, and root may ask about anyone's token.
    assert.equal((await introspect({ token }, bearer(token))).json<{ active: boolean }>().active, true);
    assert.equal((await introspect({ token, token_type_hint: 'access_token' }, asRoot)).json<{ active: boolean }>().active, true);
  });

  test('introspection: inactive for garbage, for another person’s token (only root sees any), and after a password change; 401 without credentials', async () => {
    const ana = await passwordToken(ctx.app, ANA);
    assert.deepEqual(
      [(await introspect({ token: 'not-a-token' }, asRoot)).statusCode, (await introspect({ token: 'not-a-token' }, asRoot)).json()],
      [200, INACTIVE],
    );
    assert.deepEqual((await introspect({ token: ana }, asCameron)).json(), INACTIVE, 'a health professional may not see tokens of others');
    const other = await passwordToken(ctx.app, CAMERON);
    assert.deepEqual((await introspect({ token: other }, asAna)).json(), INACTIVE, "Ana may not see Cameron's token");
    const anonymous = await introspect({ token: ana }, {});
    assert.deepEqual([anonymous.statusCode, anonymous.json()], [401, { error: 'Unauthorized Access' }]);
    assert.deepEqual(
      [(await introspect({}, asAna)).statusCode, (await introspect({}, asAna)).json()],
      [400, oauthError('invalid_request', 'token is missing')],
    );
    const change = (password: string) =>
      ctx.app.inject({ method: 'PATCH', url: `/people/${ANA.id}`, headers: asRoot, payload: JSON.stringify({ password }) });
    assert.equal((await change('another secret entirely')).statusCode, 200);
    assert.deepEqual((await introspect({ token: ana }, asRoot)).json(), INACTIVE, 'issued before the password change');
    assert.equal((await change(ANA.password)).statusCode, 200);
  });

  test('revoking a token: the empty 200, the API and introspection refuse it at once, the account’s other tokens go on', async () => {
    const token = await passwordToken(ctx.app, ANA);
    const kept = await passwordToken(ctx.app, ANA);
    assert.equal(await reads(token), 200);
    const res = await revoke({ token, token_type_hint: 'access_token', client_id: 'mygnuhealth' });
    assert.deepEqual([res.statusCode, res.body, res.headers['cache-control']], [200, '', NO_STORE['cache-control']]);
    assert.equal(await reads(token), 401);
    assert.deepEqual((await introspect({ token }, asRoot)).json(), INACTIVE);
    assert.equal(await reads(kept), 200);
    // Revoking again, or revoking something that is no token of ours, answers the same.
    for (const again of [token, 'not-a-token', `${kept.slice(0, -4)}AAAA`]) {
      const repeat = await revoke({ token: again });
      assert.deepEqual([repeat.statusCode, repeat.body], [200, ''], again);
    }
    assert.equal(await reads(kept), 200, 'a tampered copy revokes nothing');
  });

  test('revocation errors are RFC 6749 §5.2: no token, not a form', async () => {
    const missing = await revoke({});
    assert.deepEqual([missing.statusCode, missing.json()], [400, oauthError('invalid_request', 'token is missing')]);
    const json = await ctx.app.inject({
      method: 'POST',
      url: '/oauth2/revoke',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    assert.deepEqual(
      [json.statusCode, json.json()],
      [400, oauthError('invalid_request', 'The body must be application/x-www-form-urlencoded (RFC 6749 §3.2)')],
    );
  });

  test('a root token revoked by its holder stops root’s access at once', async () => {
    const token = await passwordToken(ctx.app, ROOT);
    assert.equal((await ctx.app.inject({ method: 'GET', url: '/people', headers: bearer(token) })).statusCode, 200);
    assert.equal((await revoke({ token })).statusCode, 200);
    assert.equal((await ctx.app.inject({ method: 'GET', url: '/people', headers: bearer(token) })).statusCode, 401);
  });
});
