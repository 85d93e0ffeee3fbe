// Bearer access tokens on the API: the same answers and ACL as Basic, and a token that stops at once when it should.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { issueAccessToken } from '../../src/oauth/access-tokens.ts';
import { rotateSigningKey } from '../../src/oauth/signing-keys.ts';
import { decodeProtectedHeader } from 'jose';
import { credentialFingerprint } from '../../src/auth/credential-fingerprint.ts';
import { revoke, revokedJti } from '../../src/store/revocations.ts';
import { getPerson } from '../../src/store/people.ts';
import { ANA, CAMERON, ROOT, TEST_KEY_ENCRYPTION_KEY, asAna, asCameron, asRoot, eachBackend, useApp } from '../helper.ts';
import { bearer, passwordToken, verifiedClaims } from './oauth-helpers.ts';

const INVALID = { error: 'The access token is invalid, expired or revoked' };
const CHALLENGE = 'Bearer realm="Thalamus", error="invalid_token"';

eachBackend('Bearer', (backend) => {
  const ctx = useApp(backend);
  const get = (url: string, headers: Record<string, string>) => ctx.app.inject({ method: 'GET', url, headers });
  const refused = async (token: string, why: string) => {
    const res = await get(`/people/${ANA.id}`, bearer(token));
    assert.deepEqual([res.statusCode, res.json(), res.headers['www-authenticate']], [401, INVALID, CHALLENGE], why);
  };
  /** A token signed by the server's own key with claims of the test's choosing. */
  async function forged(changes: { audience?: string; ttlSeconds?: number; roles?: string[] }): Promise<string> {
    const ana = await getPerson(ctx.db, ANA.id);
    const issued = await issueAccessToken(
      ctx.app.tokenServer.signer(),
      { issuer: 'http://localhost:80', audience: changes.audience ?? 'thalamus', ttlSeconds: changes.ttlSeconds ?? 600 },
      {
        kind: 'person',
        id: ANA.id,
        roles: changes.roles ?? ['end_user'],
        fingerprint: credentialFingerprint(ANA.id, String(ana?.data?.password)),
      },
    );
    return issued.token;
  }

  test("Ana's token reads what her password reads, with the same answers and refusals", async () => {
    const token = await passwordToken(ctx.app, ANA);
    for (const url of [`/people/${ANA.id}`, `/pols/${ANA.id}`, `/personal_docs/${ANA.id}`, '/login', `/people/${CAMERON.id}`, '/people']) {
      const [withToken, withPassword] = [await get(url, bearer(token)), await get(url, asAna)];
      assert.deepEqual([withToken.statusCode, withToken.body], [withPassword.statusCode, withPassword.body], url);
    }
    assert.equal((await get(`/people/${CAMERON.id}`, bearer(token))).statusCode, 403);
    const head = await ctx.app.inject({ method: 'HEAD', url: `/people/${ANA.id}`, headers: bearer(token) });
    assert.equal(head.statusCode, 200);
  });

  test('the FHIR facade takes the same tokens: the same answers as the password, reads and searches', async () => {
    const ana = await passwordToken(ctx.app, ANA);
    const cameron = await passwordToken(ctx.app, CAMERON);
    const urls = [
      `/fhir/Patient/${ANA.id}`,
      `/fhir/Patient?_id=${ANA.id}`,
      `/fhir/Observation?patient=${ANA.id}`,
      `/fhir/Patient/${CAMERON.id}`,
    ];
    for (const [token, password] of [
      [ana, asAna],
      [cameron, asCameron],
    ] as const) {
      for (const url of urls) {
        const [withToken, withPassword] = [await get(url, bearer(token)), await get(url, password)];
        assert.deepEqual([withToken.statusCode, withToken.body], [withPassword.statusCode, withPassword.body], url);
      }
    }
    assert.equal((await get(`/fhir/Patient/${CAMERON.id}`, bearer(ana))).statusCode, 403);
    assert.equal((await get(`/fhir/Patient/${ANA.id}`, bearer(cameron))).statusCode, 200);
    const bad = await get(`/fhir/Patient/${ANA.id}`, bearer('not-a-jwt'));
    assert.deepEqual([bad.statusCode, bad.headers['www-authenticate']], [401, CHALLENGE]);
  });

  test('writes with a token: the same guards as with the password', async () => {
    const token = await passwordToken(ctx.app, ANA);
    const patch = (body: object) =>
      ctx.app.inject({ method: 'PATCH', url: `/people/${ANA.id}`, headers: bearer(token), payload: JSON.stringify(body) });
    assert.deepEqual([(await patch({ profession: 'Head teacher' })).statusCode], [200]);
    assert.equal((await getPerson(ctx.db, ANA.id))?.data?.profession, 'Head teacher');
    const denied = await patch({ roles: ['root'] });
    assert.equal(denied.statusCode, 403);
  });

  test('scope narrows what a token may do: Cameron with only end_user cannot list people', async () => {
    const full = await passwordToken(ctx.app, CAMERON);
    const narrow = await passwordToken(ctx.app, CAMERON, 'end_user');
    assert.equal((await get('/people', bearer(full))).statusCode, 200);
    assert.deepEqual([(await get('/people', bearer(narrow))).statusCode, (await get('/people', asCameron)).statusCode], [403, 200]);
  });

  test('a new password ends the tokens issued before it, at once', async () => {
    const root = await passwordToken(ctx.app, ROOT);
    const token = await passwordToken(ctx.app, ANA);
    assert.equal((await get(`/people/${ANA.id}`, bearer(token))).statusCode, 200);
    const change = await ctx.app.inject({
      method: 'PATCH',
      url: `/people/${ANA.id}`,
      headers: asRoot,
      payload: JSON.stringify({ password: 'a brand new secret' }),
    });
    assert.equal(change.statusCode, 200);
    await refused(token, 'issued before the password change');
    const fresh = await passwordToken(ctx.app, { id: ANA.id, password: 'a brand new secret' });
    assert.equal((await get(`/people/${ANA.id}`, bearer(fresh))).statusCode, 200);
    assert.equal((await get(`/people/${ANA.id}`, bearer(root))).statusCode, 200, "root's token is not Ana's");
    await ctx.app.inject({
      method: 'PATCH',
      url: `/people/${ANA.id}`,
      headers: asRoot,
      payload: JSON.stringify({ password: ANA.password }),
    });
  });

  test('deactivating the account ends its tokens; reactivating brings them back', async () => {
    const token = await passwordToken(ctx.app, ANA);
    const setActive = (active: boolean) =>
      ctx.app.inject({ method: 'PATCH', url: `/people/${ANA.id}`, headers: asRoot, payload: JSON.stringify({ active }) });
    assert.equal((await setActive(false)).statusCode, 200);
    await refused(token, 'inactive account');
    assert.equal((await setActive(true)).statusCode, 200);
    assert.equal((await get(`/people/${ANA.id}`, bearer(token))).statusCode, 200);
  });

  test('a revoked token stops at once, here and on another instance on the same database; others go on', async () => {
    const other = await buildApp({ config: ctx.config, db: ctx.db, logger: false });
    try {
      const token = await passwordToken(ctx.app, ANA);
      const kept = await passwordToken(ctx.app, ANA);
      for (const app of [ctx.app, other])
        assert.equal((await app.inject({ method: 'GET', url: '/login', headers: bearer(token) })).statusCode, 200);
      const { jti, exp } = await verifiedClaims(ctx.app, token);
      await revoke(ctx.db, [revokedJti(String(jti))], new Date(Number(exp) * 1000));
      for (const app of [ctx.app, other]) {
        const res = await app.inject({ method: 'GET', url: '/login', headers: bearer(token) });
        assert.deepEqual([res.statusCode, res.json()], [401, INVALID]);
        assert.equal((await app.inject({ method: 'GET', url: '/login', headers: bearer(kept) })).statusCode, 200);
      }
    } finally {
      await other.close();
    }
  });

  test('expired, tampered, wrong audience, unknown key, not a JWT: 401 invalid_token', async () => {
    await refused(await forged({ ttlSeconds: -120 }), 'expired two minutes ago');
    await refused(await forged({ audience: 'another-service' }), 'wrong audience');
    const good = await forged({});
    const [header, payload, signature] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const elevated = Buffer.from(JSON.stringify({ ...claims, roles: ['root'], scope: 'root' })).toString('base64url');
    await refused(`${header}.${elevated}.${signature}`, 'payload changed under the signature');
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    await refused(`${header}.${payload}.${flipped}`, 'signature changed');
    const unknownKid = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'no-such-key' })).toString('base64url');
    await refused(`${unknownKid}.${payload}.${signature}`, 'unknown key');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url');
    await refused(`${none}.${payload}.`, 'alg none');
    await refused('not-a-jwt', 'not a JWT');
    assert.equal((await get(`/people/${ANA.id}`, bearer(good))).statusCode, 200, 'the untouched token works');
  });

  test('key rotation: a token of the old key keeps working until it expires, beside those of the new key', async () => {
    const before = await passwordToken(ctx.app, ANA);
    assert.equal((await get(`/people/${ANA.id}`, bearer(before))).statusCode, 200);
    const { kid } = await rotateSigningKey(ctx.db, new Uint8Array(Buffer.from(TEST_KEY_ENCRYPTION_KEY, 'hex')));
    const after = await passwordToken(ctx.app, ANA);
    assert.equal(decodeProtectedHeader(after).kid, kid);
    assert.notEqual(decodeProtectedHeader(before).kid, kid);
    for (const token of [after, before]) assert.equal((await get(`/people/${ANA.id}`, bearer(token))).statusCode, 200);
  });

  test('roles the account no longer holds leave its tokens', async () => {
    const token = await passwordToken(ctx.app, CAMERON);
    assert.equal((await get('/people', bearer(token))).statusCode, 200);
    const demote = (roles: string[]) =>
      ctx.app.inject({ method: 'PATCH', url: `/people/${CAMERON.id}`, headers: asRoot, payload: JSON.stringify({ roles }) });
    assert.equal((await demote(['end_user'])).statusCode, 200);
    assert.equal((await get('/people', bearer(token))).statusCode, 403);
    assert.equal((await get(`/people/${CAMERON.id}`, bearer(token))).statusCode, 200);
    await demote(['end_user', 'health_professional']);
  });
});
