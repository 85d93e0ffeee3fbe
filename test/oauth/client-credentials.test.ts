// Registered clients: `thalamus client add|remove|list`, grant_type=client_credentials, and their tokens on the API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANA, basic, eachBackend, useApp } from '../helper.ts';
import { cli } from '../cli/cli-io.ts';
import { bearer, oauthError, passwordToken, postForm, tokenRequest, verifiedClaims } from './oauth-helpers.ts';

const INVALID_CLIENT = oauthError('invalid_client', 'Client authentication failed');
const INVALID_TOKEN = { error: 'The access token is invalid, expired or revoked' };

eachBackend('client credentials', (backend) => {
  const ctx = useApp(backend);
  const add = (id: string, ...roles: string[]) => cli(['client', 'add', id, ...roles.flatMap((r) => ['--role', r])], { db: ctx.db });
  const grant = (headers: Record<string, string>, extra: Record<string, string> = {}) =>
    tokenRequest(ctx.app, { grant_type: 'client_credentials', ...extra }, headers);
  const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(token) });

  test('client add prints the secret once on stdout, stores only its digest; errors are one line, exit 1', async () => {
    const res = await add('lab-sync', 'health_professional');
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, 'created client lab-sync with roles health_professional; its secret (shown once, keep it safe):\n');
    const secret = res.stdout.trim();
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    const [row] = await ctx.db.query<{ secret_hash: string }>("SELECT secret_hash FROM oauth_clients WHERE id = 'lab-sync'");
    assert.ok(!row.secret_hash.includes(secret) && row.secret_hash.startsWith('sha256:'));
    for (const [args, message] of [
      [['client', 'add', 'lab-sync', '--role', 'end_user'], 'client lab-sync already exists'],
      [
        ['client', 'add', 'bad:id', '--role', 'end_user'],
        '"bad:id" is not a client id: 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit',
      ],
      [['client', 'add', 'norole'], 'say which roles the client has: --role ROLE (repeat for several)'],
      [['client', 'remove', 'nobody'], 'no client nobody'],
    ] as const) {
      const bad = await cli([...args], { db: ctx.db });
      assert.deepEqual([bad.code, bad.stdout, bad.stderr], [1, '', `thalamus: ${message}\n`], args.join(' '));
    }
    const unknownRole = await cli(['client', 'add', 'x1', '--role', 'wizard'], { db: ctx.db });
    assert.match(unknownRole.stderr, /^thalamus: unknown role "wizard" \(.* defines: end_user, health_professional, root\)\n$/);
    const list = await cli(['client', 'list'], { db: ctx.db });
    assert.match(list.stdout, /^lab-sync\thealth_professional\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    assert.deepEqual(
      (await cli(['client', 'remove', 'lab-sync'], { db: ctx.db })).stdout,
      'removed client lab-sync: its tokens stop working at once\n',
    );
  });

  test('client_credentials: a token by Basic or by the form, its claims, and every client error', async () => {
    const secret = (await add('billing', 'health_professional', 'end_user')).stdout.trim();
    const byBasic = await grant({ authorization: basic('billing', secret) });
    assert.equal(byBasic.statusCode, 200, byBasic.body);
    const body = byBasic.json<{ access_token: string; refresh_token?: string }>();
    assert.deepEqual(
      { ...body, access_token: 'x' },
      { access_token: 'x', token_type: 'Bearer', expires_in: 600, scope: 'health_professional end_user' },
    );
    const { iat, exp, jti, fp, iss, ...claims } = await verifiedClaims(ctx.app, body.access_token);
    assert.ok(iat && exp && jti && fp && iss);
    assert.deepEqual(claims, {
      sub: 'billing',
      aud: 'thalamus',
      scope: 'health_professional end_user',
      roles: ['health_professional', 'end_user'],
      sub_kind: 'client',
      client_id: 'billing',
    });
    const byForm = await grant({}, { client_id: 'billing', client_secret: secret, scope: 'end_user' });
    assert.deepEqual([byForm.statusCode, byForm.json<{ scope: string }>().scope], [200, 'end_user']);
    for (const [headers, extra, status, error] of [
      [{ authorization: basic('billing', 'wrong') }, {}, 401, INVALID_CLIENT],
      [{ authorization: basic('nobody', secret) }, {}, 401, INVALID_CLIENT],
      [{}, { client_id: 'billing', client_secret: 'wrong' }, 401, INVALID_CLIENT],
      [
        {},
        {},
        401,
        oauthError('invalid_client', 'client_credentials needs the client to authenticate (Basic, or client_id and client_secret)'),
      ],
      [
        { authorization: basic('billing', secret) },
        { client_id: 'billing', client_secret: secret },
        400,
        oauthError('invalid_request', 'Client credentials were sent both as Basic and in the form'),
      ],
      [
        { authorization: basic('billing', secret) },
        { scope: 'root' },
        400,
        oauthError('invalid_scope', 'Not granted: root (the scope names roles the subject holds: health_professional end_user)'),
      ],
    ] as const) {
      const res = await grant({ ...headers }, { ...extra });
      assert.deepEqual([res.statusCode, res.json()], [status, error], JSON.stringify([headers, extra]));
      if (status === 401) assert.equal(res.headers['www-authenticate'], 'Basic realm="Thalamus", charset="UTF-8"');
    }
  });

  test("a client's token: its roles on the API, never 'the person', introspects others' tokens, ends when the client is removed", async () => {
    const secret = (await add('portal', 'health_professional')).stdout.trim();
    const token = (await grant({ authorization: basic('portal', secret) })).json<{ access_token: string }>().access_token;
    assert.equal((await get('/people', token)).statusCode, 200);
    assert.equal((await get(`/people/${ANA.id}`, token)).statusCode, 200);
    assert.equal((await get(`/fhir/Patient/${ANA.id}`, token)).statusCode, 200);
    const password = await ctx.app.inject({
      method: 'PATCH',
      url: `/people/${ANA.id}`,
      headers: bearer(token),
      payload: JSON.stringify({ password: 'chosen by a service' }),
    });
    assert.equal(password.statusCode, 403);
    const ana = await passwordToken(ctx.app, ANA);
    const seen = await postForm(ctx.app, '/oauth2/introspect', { token: ana }, bearer(token));
    assert.deepEqual(
      [seen.statusCode, seen.json<{ active: boolean; sub: string }>().active, seen.json<{ sub: string }>().sub],
      [200, true, ANA.id],
    );
    // A resource server introspects with its client credentials (client_secret_basic), as OAuth libraries do.
    const byBasic = await postForm(ctx.app, '/oauth2/introspect', { token: ana }, { authorization: basic('portal', secret) });
    assert.deepEqual([byBasic.statusCode, byBasic.json<{ active: boolean }>().active], [200, true]);
    const wrong = await postForm(ctx.app, '/oauth2/introspect', { token: ana }, { authorization: basic('portal', 'wrong') });
    assert.deepEqual([wrong.statusCode, wrong.json()], [401, INVALID_CLIENT]);
    await cli(['client', 'remove', 'portal'], { db: ctx.db });
    const after = await get('/people', token);
    assert.deepEqual([after.statusCode, after.json()], [401, INVALID_TOKEN]);
    // The same id registered again has a new secret: the old tokens stay dead.
    await add('portal', 'health_professional');
    assert.equal((await get('/people', token)).statusCode, 401);
  });
});
