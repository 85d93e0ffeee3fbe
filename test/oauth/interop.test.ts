// An independent OAuth client (openid-client, npm) against a listening Thalamus: discovery, every grant, the API, introspection, revocation.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as oidc from 'openid-client';
import { ANA, eachBackend, useApp } from '../helper.ts';
import { cli } from '../cli/cli-io.ts';

eachBackend('openid-client interop', (backend) => {
  const ctx = useApp(backend);
  let base: URL;
  before(async () => {
    const address = await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    base = new URL(address);
  });
  // Plain HTTP on the loopback only; production runs behind TLS (README, "Tokens").
  const insecure = { execute: [oidc.allowInsecureRequests] };
  const api = (config: oidc.Configuration, token: string, path: string) =>
    oidc.fetchProtectedResource(config, token, new URL(path, base), 'GET');

  const invalidToken = (err: oidc.WWWAuthenticateChallengeError) => {
    assert.deepEqual([err.status, err.cause.map((c) => [c.scheme, c.parameters.error])], [401, [['bearer', 'invalid_token']]]);
    return true;
  };

  test('a public app: discovery, the password grant, the API with Bearer, refresh with rotation, sign-out', async () => {
    const config = await oidc.discovery(base, 'mygnuhealth', undefined, oidc.None(), insecure);
    assert.equal(config.serverMetadata().issuer, base.origin);
    const tokens = await oidc.genericGrantRequest(config, 'password', { username: ANA.id, password: ANA.password });
    assert.deepEqual([tokens.token_type, tokens.scope, typeof tokens.refresh_token], ['bearer', 'end_user', 'string']);
    const me = await api(config, tokens.access_token, `/people/${ANA.id}`);
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { id: string }).id, ANA.id);
    const patient = await api(config, tokens.access_token, `/fhir/Patient/${ANA.id}`);
    assert.deepEqual([patient.status, ((await patient.json()) as { resourceType: string }).resourceType], [200, 'Patient']);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    assert.equal((await api(config, refreshed.access_token, '/login')).status, 200);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token as string), (err: oidc.ResponseBodyError) => {
      assert.equal(err.error, 'invalid_grant');
      return true;
    });
    // The replay ended the grant: the refreshed access token is dead too, and the library reads the RFC 6750 challenge.
    await assert.rejects(api(config, refreshed.access_token, '/login'), invalidToken);

    const again = await oidc.genericGrantRequest(config, 'password', { username: ANA.id, password: ANA.password });
    await oidc.tokenRevocation(config, again.refresh_token as string, { token_type_hint: 'refresh_token' });
    await assert.rejects(api(config, again.access_token, '/login'), invalidToken);
  });

  test('a service: client_credentials with client_secret_basic, the API, introspection of an app token', async () => {
    const secret = (await cli(['client', 'add', 'lab-sync', '--role', 'health_professional'], { db: ctx.db })).stdout.trim();
    const config = await oidc.discovery(base, 'lab-sync', secret, oidc.ClientSecretBasic(secret), insecure);
    const tokens = await oidc.clientCredentialsGrant(config);
    assert.equal(tokens.scope, 'health_professional');
    assert.equal((await api(config, tokens.access_token, '/people')).status, 200);

    const app = await oidc.discovery(base, 'mygnuhealth', undefined, oidc.None(), insecure);
    const ana = await oidc.genericGrantRequest(app, 'password', { username: ANA.id, password: ANA.password });
    const seen = await oidc.tokenIntrospection(config, ana.access_token);
    assert.deepEqual([seen.active, seen.sub, seen.scope, seen.token_type], [true, ANA.id, 'end_user', 'Bearer']);
    await oidc.tokenRevocation(app, ana.access_token);
    assert.equal((await oidc.tokenIntrospection(config, ana.access_token)).active, false);
  });
});
