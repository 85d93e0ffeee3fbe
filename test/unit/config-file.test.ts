// THALAMUS_CONFIG: the reference's etc/thalamus.cfg as it ships, Python literals, JSON files, warnings, and libpq keyword strings.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { keywordsToUrl, maskPassword, parseKeywords } from '../../src/database-url.ts';
import { ConfigError } from '../../src/errors.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';

const REFERENCE = join(PROJECT_ROOT, 'test/fixtures/reference/etc/thalamus.cfg');
const dir = mkdtempSync(join(tmpdir(), 'thalamus-config-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(text: string, name = `cfg-${n++}.cfg`): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Where libpq would find the local server when no host is named: the Unix socket if there is one. */
const localHost = ['/var/run/postgresql', '/tmp'].find((d) => existsSync(join(d, '.s.PGSQL.5432')));
const localHostPart = localHost ? encodeURIComponent(localHost) : 'localhost';

test("the reference's etc/thalamus.cfg, unchanged, gives its database, its roles.cfg, and warnings for what is ignored", () => {
  const config = loadConfig({ THALAMUS_CONFIG: REFERENCE });
  assert.deepEqual(
    { databaseUrl: config.databaseUrl, rolesPath: config.rolesPath, demo: config.demo, warnings: config.warnings },
    {
      databaseUrl: `postgresql://gnuhealth@${localHostPart}:5432/federation`,
      rolesPath: join(PROJECT_ROOT, 'test/fixtures/reference/etc/roles.cfg'),
      demo: false,
      warnings: [
        `DEBUG in ${REFERENCE} line 4 is ignored: Thalamus has no debug server (THALAMUS_LOG_LEVEL=debug logs every request)`,
        `SECRET_KEY in ${REFERENCE} line 13 is shorter than 32 characters; ignored: a random secret is made at each start (set THALAMUS_SECRET, for example \`openssl rand -hex 32\`)`,
      ],
    },
  );
  assert.match(config.secret, /^[0-9a-f]{64}$/);
});

test('the environment wins over the file', () => {
  const path = file(`POSTGRESQL_URI = "dbname=federation"\nSECRET_KEY = "${'k'.repeat(40)}"\nTHALAMUS_PORT = 8443\n`);
  const config = loadConfig({
    THALAMUS_CONFIG: path,
    THALAMUS_DATABASE_URL: 'postgresql://u@db.example/fed',
    THALAMUS_SECRET: 's'.repeat(32),
    THALAMUS_PORT: '9000',
  });
  assert.deepEqual(
    [config.databaseUrl, config.secret, config.port, config.warnings],
    ['postgresql://u@db.example/fed', 's'.repeat(32), 9000, []],
  );
  assert.equal(loadConfig({ THALAMUS_CONFIG: path, POSTGRESQL_URI: 'postgres://v@h/x' }).databaseUrl, 'postgres://v@h/x');
  assert.equal(loadConfig({ THALAMUS_CONFIG: path }).secret, 'k'.repeat(40));
});

test('Python literals: quotes, raw and escaped strings, comments, numbers, booleans, None, and a multi-line string', () => {
  const roles = file('[]', 'roles.json');
  const path = file(
    [
      'import os',
      "POSTGRESQL_URI = 'host=db.example port=5433 dbname=fed user=thalamus password=\\'s3 cr#t\\''  # the database",
      `ACL = r"${roles}"`,
      'THALAMUS_PORT = 8_443',
      'THALAMUS_TRUST_PROXY = True',
      'THALAMUS_DEMO = False',
      'THALAMUS_BODY_LIMIT = None',
      '# SECRET_KEY = "commented out"',
      'THALAMUS_CORS_ORIGINS = """https://a.example,',
      'https://b.example"""',
      'THALAMUS_HOST = "0.0.0.0" # every interface',
    ].join('\n'),
  );
  const c = loadConfig({ THALAMUS_CONFIG: path });
  assert.deepEqual(
    [c.databaseUrl, c.rolesPath, c.port, c.trustProxy, c.demo, c.bodyLimit, c.corsOrigins, c.host, c.warnings],
    [
      'postgresql://thalamus:s3%20cr%23t@db.example:5433/fed',
      roles,
      8443,
      true,
      false,
      8 * 1024 * 1024,
      ['https://a.example', 'https://b.example'],
      '0.0.0.0',
      [],
    ],
  );
});

test('names that are not settings, and values that are expressions, are named in warnings, never fatal', () => {
  const path = file(
    ['import os', 'MONGO_URI = "mongodb://x"', 'THALAMUS_PROT = 8080', 'SECRET_KEY = os.urandom(24)', 'if DEBUG:', '    pass'].join('\n'),
  );
  assert.deepEqual(loadConfig({ THALAMUS_CONFIG: path }).warnings, [
    `THALAMUS_CONFIG: ${path} line 5 is not a NAME = value setting; ignored`,
    `THALAMUS_CONFIG: ${path} line 6 is not a NAME = value setting; ignored`,
    `MONGO_URI in ${path} line 2 is not a Thalamus setting; ignored`,
    `SECRET_KEY in ${path} line 4 is not a plain string; ignored: a random secret is made at each start (set THALAMUS_SECRET to share one)`,
    `THALAMUS_PROT in ${path} is not a Thalamus setting; ignored`,
  ]);
});

test('the JSON form still works, with the same names and warnings', () => {
  const path = file(JSON.stringify({ THALAMUS_PORT: 8443, POSTGRESQL_URI: 'dbname=fed host=db.example', COLOUR: 'blue' }));
  const c = loadConfig({ THALAMUS_CONFIG: path });
  assert.deepEqual(
    [c.port, c.databaseUrl, c.warnings],
    [8443, 'postgresql://db.example:5432/fed', [`COLOUR in ${path} is not a Thalamus setting; ignored`]],
  );
});

const failures: [string, string, (path: string) => string][] = [
  [
    'a database URL that is an expression',
    'POSTGRESQL_URI = os.environ["DB"]',
    (path) => `POSTGRESQL_URI in ${path} line 1: its value is not a plain value; write it as a quoted string`,
  ],
  [
    'an ACL that cannot be found',
    'ACL = "etc/nowhere.cfg"',
    (path) =>
      `ACL in ${path}: cannot find etc/nowhere.cfg (looked for ${join(dir, '..', 'etc/nowhere.cfg')}, ${join(dir, 'etc/nowhere.cfg')}, ${join(process.cwd(), 'etc/nowhere.cfg')})`,
  ],
  ['a JSON file that is not JSON', '{"THALAMUS_PORT": ', (path) => `THALAMUS_CONFIG: ${path} is not valid JSON: `],
  [
    'a connection string that is neither a URL nor keywords (its password masked)',
    'POSTGRESQL_URI = "password=hunter2 localhost"',
    (path) =>
      `POSTGRESQL_URI in ${path}: "password=*** localhost" is neither a URL nor a libpq keyword string (expected postgresql://user:password@host:5432/database or dbname=... user=... host=...)`,
  ],
];
for (const [what, text, message] of failures) {
  test(`${what} is a one-line ConfigError`, () => {
    const path = file(text);
    assert.throws(
      () => loadConfig({ THALAMUS_CONFIG: path }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.ok(err.message.startsWith(message(path)), err.message);
        assert.ok(!err.message.includes('\n') && !err.message.includes('hunter2'), err.message);
        return true;
      },
    );
  });
}

test('a URL with an unusable part names the setting and masks the password', () => {
  assert.throws(
    () => loadConfig({ THALAMUS_DATABASE_URL: 'postgresql://u:hunter2@host:99999/db' }),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.message ===
        'THALAMUS_DATABASE_URL: "postgresql://u:***@host:99999/db" is not a valid URL (expected postgresql://user:password@host:5432/database or dbname=... user=... host=...)',
  );
});

test('libpq keyword strings: quoting, escapes, sockets, hostaddr, extra parameters; null for anything else', () => {
  assert.deepEqual(
    [...(parseKeywords("dbname = fed user='a b' password='it\\'s'") ?? [])],
    [
      ['dbname', 'fed'],
      ['user', 'a b'],
      ['password', "it's"],
    ],
  );
  assert.equal(parseKeywords('localhost:5432'), null);
  assert.equal(parseKeywords("dbname='unterminated"), null);
  const none = { socketDirs: [] };
  assert.equal(keywordsToUrl('dbname=fed', none), 'postgresql://localhost:5432/fed');
  assert.equal(keywordsToUrl('dbname=fed', { pghost: 'db.example' }), 'postgresql://db.example:5432/fed');
  assert.equal(keywordsToUrl('user=gnuhealth', none), 'postgresql://gnuhealth@localhost:5432/gnuhealth');
  assert.equal(keywordsToUrl('host=/run/pg port=5433 dbname=fed', none), 'postgresql://%2Frun%2Fpg:5433/fed');
  assert.equal(
    keywordsToUrl('hostaddr=::1 dbname=fed sslmode=require application_name=t', none),
    'postgresql://[::1]:5432/fed?sslmode=require&application_name=t',
  );
  const sockets = mkdtempSync(join(dir, 'sock-'));
  mkdirSync(join(sockets, 'a'));
  writeFileSync(join(sockets, 'a', '.s.PGSQL.5432'), '');
  assert.equal(
    keywordsToUrl('dbname=fed', { socketDirs: [join(sockets, 'none'), join(sockets, 'a')] }),
    `postgresql://${encodeURIComponent(join(sockets, 'a'))}:5432/fed`,
  );
  assert.equal(keywordsToUrl('not a keyword string'), null);
});

test('passwords are masked in URLs and keyword strings', () => {
  assert.equal(maskPassword('postgresql://u:hunter2@h/db'), 'postgresql://u:***@h/db');
  assert.equal(maskPassword('postgresql://u@h/db?password=hunter2&sslmode=require'), 'postgresql://u@h/db?password=***&sslmode=require');
  assert.equal(maskPassword("dbname=fed password='a b' user=u"), 'dbname=fed password=*** user=u');
  assert.equal(maskPassword('postgresql://u@h/db'), 'postgresql://u@h/db');
});
