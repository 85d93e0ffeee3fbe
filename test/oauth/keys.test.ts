// Signing keys: sealed at rest, published as JWKS, rotated (old tokens valid until they expire), the metadata documents.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compactDecrypt, decodeProtectedHeader } from 'jose';
import { buildApp } from '../../src/app.ts';
import { EMBEDDED_KEY_FILE, keyEncryptionKey } from '../../src/oauth/key-encryption.ts';
import { rotateSigningKey } from '../../src/oauth/signing-keys.ts';
import { ANA, TEST_KEY_ENCRYPTION_KEY, eachBackend, seededDb, testConfig, useApp } from '../helper.ts';
import { oauthError, passwordToken, verifiedClaims } from './oauth-helpers.ts';

const KEK = new Uint8Array(Buffer.from(TEST_KEY_ENCRYPTION_KEY, 'hex'));

eachBackend('signing keys', (backend) => {
  const ctx = useApp(backend);
  const jwks = async () =>
    (await ctx.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: Record<string, unknown>[] }>();
  const rows = () =>
    ctx.db.query<{ kid: string; public_jwk: Record<string, unknown>; sealed_private_jwk: string; retired: boolean }>(
      'SELECT kid, public_jwk, sealed_private_jwk, retired_at IS NOT NULL AS retired FROM oauth_signing_keys ORDER BY created_at',
    );

  test('the first token makes a key: public in the JWKS, private only sealed under the key-encryption key', async () => {
    assert.deepEqual(await jwks(), { keys: [] });
    const token = await passwordToken(ctx.app, ANA);
    const [row] = await rows();
    const { keys } = await jwks();
    assert.deepEqual(keys, [row.public_jwk]);
    assert.deepEqual(Object.keys(keys[0]).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    assert.deepEqual([keys[0].alg, keys[0].use, keys[0].crv, keys[0].kid], ['ES256', 'sig', 'P-256', decodeProtectedHeader(token).kid]);
    assert.equal(row.sealed_private_jwk.split('.').length, 5, 'a compact JWE');
    assert.doesNotMatch(row.sealed_private_jwk, /"d"/);
    const opened = await compactDecrypt(row.sealed_private_jwk, KEK);
    assert.deepEqual(opened.protectedHeader, { alg: 'dir', enc: 'A256GCM', cty: 'jwk+json', kid: row.kid });
    assert.equal(typeof (JSON.parse(new TextDecoder().decode(opened.plaintext)) as { d: unknown }).d, 'string');
    await assert.rejects(compactDecrypt(row.sealed_private_jwk, new Uint8Array(32)));
  });

  test('rotation: new tokens use the new key, tokens of the old one stay valid until they expire', async () => {
    const before = await passwordToken(ctx.app, ANA);
    const oldKid = decodeProtectedHeader(before).kid;
    const { kid, retired } = await rotateSigningKey(ctx.db, KEK);
    assert.equal(retired, oldKid);
    const afterwards = await passwordToken(ctx.app, ANA);
    assert.equal(decodeProtectedHeader(afterwards).kid, kid);
    assert.deepEqual(
      (await jwks()).keys.map((k) => k.kid),
      [kid, oldKid],
    );
    assert.equal((await verifiedClaims(ctx.app, before)).sub, ANA.id);
    assert.equal((await verifiedClaims(ctx.app, afterwards)).sub, ANA.id);
    // Once the old key's tokens have all expired (retired longer ago than the token lifetime and the clock skew), it is no longer published.
    await ctx.db.query("UPDATE oauth_signing_keys SET retired_at = now() - interval '661 seconds' WHERE kid = $1", [oldKid]);
    assert.deepEqual(
      (await jwks()).keys.map((k) => k.kid),
      [kid],
    );
    await assert.rejects(verifiedClaims(ctx.app, before), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
    // A day later it is deleted by the next rotation.
    await ctx.db.query("UPDATE oauth_signing_keys SET retired_at = now() - interval '26 hours' WHERE kid = $1", [oldKid]);
    const third = await rotateSigningKey(ctx.db, KEK);
    assert.deepEqual([third.retired, third.deleted], [kid, [oldKid].sort()]);
  });

  test('the metadata documents (OpenID Connect Discovery, RFC 8414) name the endpoints, grants and algorithm', async () => {
    for (const url of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const res = await ctx.app.inject({ method: 'GET', url, headers: { host: 'thalamus.test:8080' } });
      assert.deepEqual(
        [res.statusCode, res.json()],
        [
          200,
          {
            issuer: 'http://thalamus.test:8080',
            token_endpoint: 'http://thalamus.test:8080/oauth2/token',
            jwks_uri: 'http://thalamus.test:8080/.well-known/jwks.json',
            revocation_endpoint: 'http://thalamus.test:8080/oauth2/revoke',
            revocation_endpoint_auth_methods_supported: ['none'],
            introspection_endpoint: 'http://thalamus.test:8080/oauth2/introspect',
            introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
            grant_types_supported: ['password', 'client_credentials', 'refresh_token'],
            token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
            scopes_supported: ['end_user', 'health_professional', 'root'],
            response_types_supported: [],
            access_token_signing_alg_values_supported: ['ES256'],
          },
        ],
        url,
      );
    }
  });
});

eachBackend('key-encryption key', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'thalamus-kek-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('embedded database, none set: a random key in a 0600 file of the data directory, reused', () => {
    const config = { keyEncryptionKey: null, databaseUrl: null, dataDir: join(dir, 'data') };
    const first = keyEncryptionKey(config);
    const path = join(dir, 'data', EMBEDDED_KEY_FILE);
    assert.match(readFileSync(path, 'utf8'), /^[0-9a-f]{64}\n$/);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(keyEncryptionKey(config), first);
    assert.equal(keyEncryptionKey({ ...config, keyEncryptionKey: Buffer.alloc(32, 1) })?.[0], 1);
  });

  test('PostgreSQL, none set: no default, and the token endpoint answers 503 temporarily_unavailable', async () => {
    assert.equal(keyEncryptionKey({ keyEncryptionKey: null, databaseUrl: 'postgresql://db/x', dataDir: dir }), null);
    const db = await seededDb(backend);
    const app = await buildApp({
      config: testConfig({ THALAMUS_KEY_ENCRYPTION_KEY: '', THALAMUS_DATABASE_URL: 'postgresql://db.example/federation' }),
      db,
      logger: false,
    });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=password&username=${ANA.id}&password=${ANA.password}`,
      });
      assert.deepEqual(
        [res.statusCode, res.json(), res.headers['retry-after']],
        [503, oauthError('temporarily_unavailable', 'The token server is off: set THALAMUS_KEY_ENCRYPTION_KEY (README, "Tokens")'), '30'],
      );
    } finally {
      await app.close();
      await db.close();
    }
  });
});
