// loadConfig: defaults, every variable, the POSTGRESQL_URI alias, the demo default, and each invalid value.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { loadRolesFile } from '../../src/auth/roles-file.ts';
import { DEFAULT_ROLES_PATH, loadConfig, type Config } from '../../src/config.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { ConfigError } from '../../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'thalamus-config-'));
const customRoles = join(dir, 'roles.cfg');
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(customRoles, JSON.stringify([{ role: 'clerk', permissions: { GET: ['login'], global: 'False' } }]));

const pick = (c: Config) => ({
  port: c.port,
  host: c.host,
  dataDir: c.dataDir,
  databaseUrl: c.databaseUrl,
  rolesPath: c.rolesPath,
  roles: [...loadRolesFile(c.rolesPath).keys()],
  demo: c.demo,
  bodyLimit: c.bodyLimit,
  dbPoolSize: c.dbPoolSize,
  bookCacheMb: c.bookCacheMb,
  logLevel: c.logLevel,
});

test('an empty environment gives the documented defaults', () => {
  assert.deepEqual(pick(loadConfig({})), {
    port: 8080,
    host: '127.0.0.1',
    dataDir: resolve('./data'),
    databaseUrl: null,
    rolesPath: DEFAULT_ROLES_PATH,
    roles: ['end_user', 'health_professional', 'root'],
    demo: true,
    bodyLimit: 8 * 1024 * 1024,
    dbPoolSize: Math.max(4, 2 * availableParallelism()),
    bookCacheMb: 32,
    logLevel: 'info',
  });
});

test('every variable is read', () => {
  const config = loadConfig({
    THALAMUS_PORT: '8443',
    THALAMUS_HOST: '0.0.0.0',
    THALAMUS_DATA_DIR: join(dir, 'db'),
    THALAMUS_DATABASE_URL: 'postgresql://thalamus:secret@db.example:5432/federation',
    THALAMUS_ROLES: customRoles,
    THALAMUS_DEMO: 'yes',
    THALAMUS_BODY_LIMIT: '1048576',
    THALAMUS_DB_POOL_SIZE: '16',
    THALAMUS_BOOK_CACHE_MB: '0',
    THALAMUS_LOG_LEVEL: 'WARN',
  });
  assert.deepEqual(pick(config), {
    port: 8443,
    host: '0.0.0.0',
    dataDir: join(dir, 'db'),
    databaseUrl: 'postgresql://thalamus:secret@db.example:5432/federation',
    rolesPath: customRoles,
    roles: ['clerk'],
    demo: true,
    bodyLimit: 1048576,
    dbPoolSize: 16,
    bookCacheMb: 0,
    logLevel: 'warn',
  });
});

test("the reference's POSTGRESQL_URI is accepted, and THALAMUS_DATABASE_URL wins over it", () => {
  assert.equal(loadConfig({ POSTGRESQL_URI: 'postgres://u@h/db' }).databaseUrl, 'postgres://u@h/db');
  assert.equal(
    loadConfig({ POSTGRESQL_URI: 'postgres://u@h/old', THALAMUS_DATABASE_URL: 'postgresql://u@h/new' }).databaseUrl,
    'postgresql://u@h/new',
  );
});

test('THALAMUS_DEMO defaults to true on the embedded database and to false with a PostgreSQL URL', () => {
  assert.equal(loadConfig({}).demo, true);
  assert.equal(loadConfig({ THALAMUS_DEMO: 'false' }).demo, false);
  assert.equal(loadConfig({ THALAMUS_DATABASE_URL: 'postgresql://u@h/db' }).demo, false);
  assert.equal(loadConfig({ POSTGRESQL_URI: 'postgresql://u@h/db' }).demo, false);
  assert.equal(loadConfig({ THALAMUS_DATABASE_URL: 'postgresql://u@h/db', THALAMUS_DEMO: '1' }).demo, true);
});

test('the token settings: defaults, a key-encryption key in hex or base64, the issuer without a trailing slash', () => {
  const defaults = loadConfig({});
  assert.deepEqual(
    [defaults.issuer, defaults.tokenAudience, defaults.accessTokenTtl, defaults.refreshTokenTtl, defaults.keyEncryptionKey],
    [null, 'thalamus', 600, 14 * 24 * 3600, null],
  );
  const key = Buffer.alloc(32, 7);
  assert.deepEqual(loadConfig({ THALAMUS_KEY_ENCRYPTION_KEY: key.toString('hex') }).keyEncryptionKey, key);
  assert.deepEqual(loadConfig({ THALAMUS_KEY_ENCRYPTION_KEY: key.toString('base64') }).keyEncryptionKey, key);
  assert.deepEqual(loadConfig({ THALAMUS_KEY_ENCRYPTION_KEY: key.toString('base64url') }).keyEncryptionKey, key);
  const set = loadConfig({
    THALAMUS_ISSUER: 'https://thalamus.example.org/',
    THALAMUS_TOKEN_AUDIENCE: 'federation',
    THALAMUS_ACCESS_TOKEN_TTL: '300',
  });
  assert.deepEqual([set.issuer, set.tokenAudience, set.accessTokenTtl], ['https://thalamus.example.org', 'federation', 300]);
});

const invalid: [string, Record<string, string>][] = [
  ['THALAMUS_PORT', { THALAMUS_PORT: '99999' }],
  ['THALAMUS_PORT', { THALAMUS_PORT: 'http' }],
  ['THALAMUS_PORT', { THALAMUS_PORT: '80.5' }],
  ['THALAMUS_BODY_LIMIT', { THALAMUS_BODY_LIMIT: '-1' }],
  ['THALAMUS_DB_POOL_SIZE', { THALAMUS_DB_POOL_SIZE: '0' }],
  ['THALAMUS_BOOK_CACHE_MB', { THALAMUS_BOOK_CACHE_MB: '-1' }],
  ['THALAMUS_DATABASE_URL', { THALAMUS_DATABASE_URL: 'not a url' }],
  ['THALAMUS_DATABASE_URL', { THALAMUS_DATABASE_URL: 'mysql://u@h/db' }],
  ['POSTGRESQL_URI', { POSTGRESQL_URI: 'localhost:5432' }],
  ['THALAMUS_ROLES', { THALAMUS_ROLES: join(dir, 'missing.cfg') }],
  ['THALAMUS_DEMO', { THALAMUS_DEMO: 'maybe' }],
  ['THALAMUS_LOG_LEVEL', { THALAMUS_LOG_LEVEL: 'loud' }],
  ['THALAMUS_TRUST_PROXY', { THALAMUS_TRUST_PROXY: 'my-proxy' }],
  ['THALAMUS_TRUST_PROXY', { THALAMUS_TRUST_PROXY: '10.0.0.1, 10.0.0.0/33' }],
  ['THALAMUS_AUTH_FAILURES_PER_ADDRESS', { THALAMUS_AUTH_FAILURES_PER_ADDRESS: '-1' }],
  ['THALAMUS_KEY_ENCRYPTION_KEY', { THALAMUS_KEY_ENCRYPTION_KEY: 'too short' }],
  ['THALAMUS_KEY_ENCRYPTION_KEY', { THALAMUS_KEY_ENCRYPTION_KEY: 'ab'.repeat(31) }],
  ['THALAMUS_ISSUER', { THALAMUS_ISSUER: 'thalamus.example.org' }],
  ['THALAMUS_ISSUER', { THALAMUS_ISSUER: 'https://thalamus.example.org/?x=1' }],
  ['THALAMUS_ACCESS_TOKEN_TTL', { THALAMUS_ACCESS_TOKEN_TTL: '5' }],
  ['THALAMUS_REFRESH_TOKEN_TTL', { THALAMUS_REFRESH_TOKEN_TTL: 'forever' }],
];
for (const [name, env] of invalid) {
  test(`${name}=${Object.values(env)[0]} is a ConfigError naming ${name}`, () => {
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => err instanceof ConfigError && err.message.startsWith(`${name}: `),
    );
  });
}

test('THALAMUS_TRUST_PROXY: nobody by default, true/false, or the proxies whose X-Forwarded-For is believed', () => {
  assert.equal(loadConfig({}).trustProxy, false);
  assert.equal(loadConfig({ THALAMUS_TRUST_PROXY: 'yes' }).trustProxy, true);
  assert.equal(loadConfig({ THALAMUS_TRUST_PROXY: 'off' }).trustProxy, false);
  assert.equal(
    loadConfig({ THALAMUS_TRUST_PROXY: ' 10.0.0.1, 192.168.0.0/16,loopback, ::1, fd00::/8 ' }).trustProxy,
    '10.0.0.1,192.168.0.0/16,loopback,::1,fd00::/8',
  );
});

test('THALAMUS_AUTH_FAILURES_PER_ADDRESS: 100 a minute by default, 0 for no limit', () => {
  assert.equal(loadConfig({}).authFailuresPerAddress, 100);
  assert.equal(loadConfig({ THALAMUS_AUTH_FAILURES_PER_ADDRESS: '0' }).authFailuresPerAddress, 0);
});

test('a roles file that is not a roles.cfg is a ConfigError naming THALAMUS_ROLES', () => {
  const bad = join(dir, 'bad.cfg');
  writeFileSync(bad, '{"role": "not a list"}');
  assert.throws(
    () => loadRolesFile(loadConfig({ THALAMUS_ROLES: bad }).rolesPath),
    (err: unknown) => err instanceof ConfigError && /^THALAMUS_ROLES: /.test(err.message),
  );
});

test('`thalamus serve` with a bad THALAMUS_PORT prints one line naming it and exits 1, no stack trace', () => {
  const run = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/thalamus.js'), 'serve'], {
    env: { PATH: process.env.PATH ?? '', THALAMUS_PORT: '99999', THALAMUS_DATA_DIR: join(dir, 'never') },
    encoding: 'utf8',
  });
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, 'thalamus: THALAMUS_PORT: "99999" is not a whole number from 0 to 65535\n');
});

test('client certificates: off by default; request or require with THALAMUS_TLS_CA and our own TLS; anything else one line', () => {
  const fixtures = join(PROJECT_ROOT, 'test/fixtures/tls');
  const tls = { THALAMUS_TLS_CERT: join(fixtures, 'cert.pem'), THALAMUS_TLS_KEY: join(fixtures, 'key.pem') };
  const ca = join(fixtures, 'cert.pem');
  const of = (c: Config) => ({ tlsCa: c.tlsCa, tlsClientCert: c.tlsClientCert, warnings: c.warnings });
  assert.deepEqual(of(loadConfig(tls)), { tlsCa: null, tlsClientCert: 'off', warnings: [] });
  for (const mode of ['request', 'REQUIRE']) {
    assert.deepEqual(of(loadConfig({ ...tls, THALAMUS_TLS_CA: ca, THALAMUS_TLS_CLIENT_CERT: mode })), {
      tlsCa: ca,
      tlsClientCert: mode.toLowerCase(),
      warnings: [],
    });
  }
  assert.deepEqual(of(loadConfig({ ...tls, THALAMUS_TLS_CA: ca })), {
    tlsCa: null,
    tlsClientCert: 'off',
    warnings: [
      'THALAMUS_TLS_CA is set but THALAMUS_TLS_CLIENT_CERT is off: no client certificate is asked for (set it to request or require)',
    ],
  });
  const refusals: [Record<string, string>, string][] = [
    [
      { ...tls, THALAMUS_TLS_CA: ca, THALAMUS_TLS_CLIENT_CERT: 'optional' },
      'THALAMUS_TLS_CLIENT_CERT: "optional" is not one of off, request, require',
    ],
    [
      { THALAMUS_TLS_CA: ca, THALAMUS_TLS_CLIENT_CERT: 'require' },
      "THALAMUS_TLS_CLIENT_CERT=require needs THALAMUS_TLS_CERT and THALAMUS_TLS_KEY: client certificates are asked for in Thalamus's own TLS handshake (behind a proxy that ends TLS, the proxy checks them)",
    ],
    [
      { ...tls, THALAMUS_TLS_CLIENT_CERT: 'request' },
      'THALAMUS_TLS_CLIENT_CERT=request needs THALAMUS_TLS_CA: the PEM file of the CA (or CAs) that issue the client certificates',
    ],
    [
      { ...tls, THALAMUS_TLS_CA: join(dir, 'no-ca.pem'), THALAMUS_TLS_CLIENT_CERT: 'request' },
      `THALAMUS_TLS_CA: cannot read ${join(dir, 'no-ca.pem')}: ENOENT`,
    ],
  ];
  for (const [env, message] of refusals) assert.throws(() => loadConfig(env), new ConfigError(message));
});
