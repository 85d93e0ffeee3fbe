// grant_type=refresh_token: rotation at every use, the family ended on replay, on revocation and on a password change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANA, CAMERON, asRoot, eachBackend, useApp } from '../helper.ts';
import { bearer, oauthError, postForm, tokenRequest } from './oauth-helpers.ts';

interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
}

eachBackend('refresh tokens', (backend) => {
  const ctx = useApp(backend);
  const signIn = async (who: { id: string; password: string }, scope?: string): Promise<Tokens> => {
    const res = await tokenRequest(ctx.app, {
      grant_type: 'password',
      username: who.id,
      password: who.password,
      ...(scope ? { scope } : {}),
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<Tokens>();
  };
  const refresh = (refresh_token: string, extra: Record<string, string> = {}) =>
    tokenRequest(ctx.app, { grant_type: 'refresh_token', refresh_token, ...extra });
  const reads = async (token: string) => (await ctx.app.inject({ method: 'GET', url: '/login', headers: bearer(token) })).statusCode;

  test('each refresh answers a new access token and a new refresh token; the old refresh token is spent', async () => {
    const first = await signIn(CAMERON);
    const res = await refresh(first.refresh_token);
    assert.equal(res.statusCode, 200, res.body);
    const second = res.json<Tokens>();
    assert.deepEqual(
      { ...second, access_token: typeof second.access_token, refresh_token: typeof second.refresh_token },
      { access_token: 'string', token_type: 'Bearer', expires_in: 600, scope: 'end_user health_professional', refresh_token: 'string' },
    );
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(await reads(second.access_token), 200);
    // A narrower scope for one access token; the next refresh may widen back to the grant's roles, never beyond.
    const narrow = await refresh(second.refresh_token, { scope: 'end_user' });
    assert.deepEqual([narrow.statusCode, narrow.json<Tokens>().scope], [200, 'end_user']);
    const wider = await refresh(narrow.json<Tokens>().refresh_token, { scope: 'root' });
    assert.deepEqual(
      [wider.statusCode, wider.json()],
      [400, oauthError('invalid_scope', 'Not granted: root (the scope names roles the subject holds: end_user health_professional)')],
    );
  });

  test('a refresh token used twice ends its whole family: every refresh token and access token of the grant', async () => {
    const first = await signIn(ANA);
    const second = (await refresh(first.refresh_token)).json<Tokens>();
    const other = await signIn(ANA);
    const replay = await refresh(first.refresh_token);
    assert.deepEqual(
      [replay.statusCode, replay.json()],
      [400, oauthError('invalid_grant', 'The refresh token was used already: every token of its grant is revoked')],
    );
    assert.deepEqual([await reads(first.access_token), await reads(second.access_token)], [401, 401]);
    const late = await refresh(second.refresh_token);
    assert.deepEqual([late.statusCode, late.json()], [400, oauthError('invalid_grant', 'The refresh token is invalid or expired')]);
    // Another sign-in of the same account is another family, untouched.
    assert.equal(await reads(other.access_token), 200);
    assert.equal((await refresh(other.refresh_token)).statusCode, 200);
  });

  test('revoking a refresh token ends its grant; revoking an access token ends that token only', async () => {
    const grant = await signIn(ANA);
    assert.equal((await postForm(ctx.app, '/oauth2/revoke', { token: grant.access_token })).statusCode, 200);
    assert.equal(await reads(grant.access_token), 401);
    const next = (await refresh(grant.refresh_token)).json<Tokens>();
    assert.equal(await reads(next.access_token), 200);
    for (const hint of [{ token_type_hint: 'refresh_token' }, {}] as Record<string, string>[]) {
      const g = await signIn(ANA);
      const res = await postForm(ctx.app, '/oauth2/revoke', { token: g.refresh_token, ...hint });
      assert.deepEqual([res.statusCode, res.body], [200, '']);
      assert.equal(await reads(g.access_token), 401, JSON.stringify(hint));
      assert.equal((await refresh(g.refresh_token)).statusCode, 400);
    }
  });

  test('a password change or deactivation ends refreshing; errors for a missing or unknown token', async () => {
    const grant = await signIn(ANA);
    const patch = (body: object) =>
      ctx.app.inject({ method: 'PATCH', url: `/people/${ANA.id}`, headers: asRoot, payload: JSON.stringify(body) });
    assert.equal((await patch({ password: 'yet another secret' })).statusCode, 200);
    const after = await refresh(grant.refresh_token);
    assert.deepEqual(
      [after.statusCode, after.json()],
      [400, oauthError('invalid_grant', 'The account no longer holds this grant (password changed or account inactive)')],
    );
    assert.equal((await patch({ password: ANA.password })).statusCode, 200);
    const again = await signIn(ANA);
    assert.equal((await patch({ active: false })).statusCode, 200);
    assert.equal((await refresh(again.refresh_token)).statusCode, 400);
    assert.equal((await patch({ active: true })).statusCode, 200);
    const missing = await tokenRequest(ctx.app, { grant_type: 'refresh_token' });
    assert.deepEqual([missing.statusCode, missing.json()], [400, oauthError('invalid_request', 'refresh_token is missing')]);
    const unknown = await refresh('no-such-token');
    assert.deepEqual([unknown.statusCode, unknown.json()], [400, oauthError('invalid_grant', 'The refresh token is invalid or expired')]);
  });
});
