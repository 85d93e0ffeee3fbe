// `thalamus user add|passwd|roles|show`, in-process, with every expected failure's one line and exit code.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import bcrypt from 'bcrypt';
import type { Db } from '../../src/db/db.ts';
import { getPerson } from '../../src/store/people.ts';
import { eachBackend, seededDb } from '../helper.ts';
import { cli } from './cli-io.ts';

const fail = (line: string) => ({ code: 1, stdout: '', stderr: `thalamus: ${line}\n` });
const outcome = (r: { code: number; stdout: string; stderr: string }) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr });

async function stored(db: Db, id: string): Promise<{ data: Record<string, unknown>; hash: string }> {
  const person = await getPerson(db, id);
  assert.ok(person, `${id} was not stored`);
  const { password, ...data } = person.data ?? {};
  return { data, hash: String(password) };
}

eachBackend('thalamus user', (backend) => {
  let db: Db;
  before(async () => {
    db = await seededDb(backend);
  });
  after(() => db.close());

  test('add: upper-cases the id, reads the password from stdin, stores a cost-12 $2b$ hash', async () => {
    const run = await cli(['user', 'add', 'deuber123abc'], { db, stdin: 'correct horse\nignored second line\n' });
    assert.deepEqual(outcome(run), { code: 0, stdout: 'created user DEUBER123ABC with roles end_user\n', stderr: '' });
    const { data, hash } = await stored(db, 'DEUBER123ABC');
    assert.deepEqual(data, { id: 'DEUBER123ABC', active: true, roles: ['end_user'] });
    assert.match(hash, /^\$2b\$12\$/);
    assert.equal(await bcrypt.compare('correct horse', hash), true);
  });

  test('add: several --role options, --name and --lastname', async () => {
    const run = await cli(
      ['user', 'add', 'FRAPAR001LAB', '--role', 'health_professional', '--role', 'end_user', '--name', 'Jeanne', '--lastname', 'Dupont'],
      {
        db,
        stdin: 'a long enough password\n',
      },
    );
    assert.deepEqual(outcome(run), { code: 0, stdout: 'created user FRAPAR001LAB with roles health_professional, end_user\n', stderr: '' });
    const { data } = await stored(db, 'FRAPAR001LAB');
    assert.deepEqual(data, {
      id: 'FRAPAR001LAB',
      active: true,
      roles: ['health_professional', 'end_user'],
      name: 'Jeanne',
      lastname: 'Dupont',
    });
  });

  test('add: typed at a terminal, twice, without echo', async () => {
    const run = await cli(['user', 'add', 'TTYUSR001ONE'], { db, tty: true, typed: ['typed secret', 'typed secret'] });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'created user TTYUSR001ONE with roles end_user\n');
    assert.doesNotMatch(run.stderr, /typed secret/);
    assert.match(run.stderr, /New password for TTYUSR001ONE: /);
    assert.equal(await bcrypt.compare('typed secret', (await stored(db, 'TTYUSR001ONE')).hash), true);
  });

  test('add: two different passwords at the terminal are refused and nothing is stored', async () => {
    const run = await cli(['user', 'add', 'TTYUSR002TWO'], { db, tty: true, typed: ['typed secret', 'other secret'] });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /thalamus: the two passwords do not match\n$/);
    assert.equal(await getPerson(db, 'TTYUSR002TWO'), null);
  });

  test('add: each refusal is one line on stderr and exit 1, and nothing is stored', async () => {
    assert.deepEqual(
      outcome(await cli(['user', 'add', 'espgnu777org'], { db, stdin: 'whatever123\n' })),
      fail('user ESPGNU777ORG already exists'),
    );
    assert.deepEqual(
      outcome(await cli(['user', 'add', 'NEWUSR001AAA'], { db, stdin: 'short\n' })),
      fail('the password is too short: use 8 to 64 characters'),
    );
    assert.deepEqual(
      outcome(await cli(['user', 'add', 'NEWUSR001AAA'], { db, stdin: `${'x'.repeat(65)}\n` })),
      fail('the password is too long: use 8 to 64 characters'),
    );
    // The API's rules: at most 72 bytes (32 emoji are 128), and not a common password.
    assert.deepEqual(
      outcome(await cli(['user', 'add', 'NEWUSR001AAA'], { db, stdin: `${'🙂'.repeat(32)}\n` })),
      fail('the password is too long: letters outside A to Z count as 2 to 4 characters; use fewer'),
    );
    assert.deepEqual(
      outcome(await cli(['user', 'add', 'NEWUSR001AAA'], { db, stdin: 'password123\n' })),
      fail('this is one of the most common passwords: choose one that is harder to guess'),
    );
    assert.deepEqual(
      outcome(await cli(['user', 'add', 'NEWUSR001AAA'], { db, stdin: '' })),
      fail('no password on standard input (give it on the first line)'),
    );
    assert.deepEqual(
      outcome(await cli(['user', 'add', 'NEWUSR001AAA', '--role', 'wizard'], { db, stdin: 'whatever123\n' })),
      fail(`unknown role "wizard" (${process.cwd()}/etc/roles.cfg defines: end_user, health_professional, root)`),
    );
    assert.deepEqual(outcome(await cli(['user', 'add'], { db })), {
      code: 1,
      stdout: '',
      stderr: "thalamus: missing required argument 'id'\n",
    });
    assert.equal(await getPerson(db, 'NEWUSR001AAA'), null);
  });

  test('passwd: replaces the hash; the old password stops working', async () => {
    const run = await cli(['user', 'passwd', 'esPGNU777org'], { db, stdin: 'a new password\n' });
    assert.deepEqual(outcome(run), { code: 0, stdout: 'changed the password of ESPGNU777ORG\n', stderr: '' });
    const { data, hash } = await stored(db, 'ESPGNU777ORG');
    assert.equal(data.name, 'Ana');
    assert.equal(await bcrypt.compare('a new password', hash), true);
    assert.equal(await bcrypt.compare('gnusolidario', hash), false);
  });

  test('passwd: an unknown user or a bad password is one line and exit 1', async () => {
    assert.deepEqual(outcome(await cli(['user', 'passwd', 'NOBODY'], { db, stdin: 'a new password\n' })), fail('no user NOBODY'));
    assert.deepEqual(
      outcome(await cli(['user', 'passwd', 'ITAPYT999HON'], { db, stdin: 'short\n' })),
      fail('the password is too short: use 8 to 64 characters'),
    );
    assert.deepEqual(
      outcome(await cli(['user', 'passwd', 'ITAPYT999HON'], { db, stdin: 'qwertyuiop\n' })),
      fail('this is one of the most common passwords: choose one that is harder to guess'),
    );
    assert.equal(await bcrypt.compare('gnusolidario', (await stored(db, 'ITAPYT999HON')).hash), true);
  });

  test('unlock: lifts a lockout after too many failed logins and forgets the failures', async () => {
    await db.query(
      "INSERT INTO auth_account_failures (account, failures, lockouts, locked_until) VALUES ('ESPGNU777ORG', 0, 3, now() + interval '8 minutes')",
    );
    assert.deepEqual(outcome(await cli(['user', 'unlock', 'espgnu777org'], { db })), {
      code: 0,
      stdout: 'ESPGNU777ORG is unlocked: its failed logins are forgotten\n',
      stderr: '',
    });
    assert.deepEqual(await db.query("SELECT account FROM auth_account_failures WHERE account = 'ESPGNU777ORG'"), []);
    assert.deepEqual(outcome(await cli(['user', 'unlock', 'ESPGNU777ORG'], { db })), {
      code: 0,
      stdout: 'ESPGNU777ORG has no failed logins on record\n',
      stderr: '',
    });
  });

  test('roles: replaces the list of roles, leaving the rest of the document', async () => {
    const run = await cli(['user', 'roles', 'ITAPYT999HON', 'root', 'end_user'], { db });
    assert.deepEqual(outcome(run), { code: 0, stdout: 'ITAPYT999HON now has roles root, end_user\n', stderr: '' });
    const { data } = await stored(db, 'ITAPYT999HON');
    assert.deepEqual(data.roles, ['root', 'end_user']);
    assert.equal(data.name, 'Cameron');
  });

  test('roles: unknown user, unknown role, no role given', async () => {
    assert.deepEqual(outcome(await cli(['user', 'roles', 'NOBODY', 'root'], { db })), fail('no user NOBODY'));
    assert.deepEqual(
      outcome(await cli(['user', 'roles', 'ITAPYT999HON', 'root', 'wizard', 'elf'], { db })),
      fail(`unknown role "wizard", "elf" (${process.cwd()}/etc/roles.cfg defines: end_user, health_professional, root)`),
    );
    assert.deepEqual(outcome(await cli(['user', 'roles', 'ITAPYT999HON'], { db })), fail("missing required argument 'roles'"));
  });

  test('show: the person document without the hash, and whether a password is set', async () => {
    const run = await cli(['user', 'show', 'argbue111fav'], { db });
    assert.equal(run.code, 0);
    assert.deepEqual(JSON.parse(run.stdout), {
      id: 'ARGBUE111FAV',
      name: 'Admin',
      lastname: 'Root',
      gender: 'm',
      dob: '1970-01-01',
      marital_status: 's',
      ethnicity: 'latino',
      education: 'tertiary',
      profession: 'System administrator',
      active: true,
      roles: ['root'],
    });
    assert.doesNotMatch(run.stdout, /password|\$2b\$/);
    assert.equal(run.stderr, 'ARGBUE111FAV has a password set\n');
  });

  test('show: a person without a password says so; an unknown user is one line', async () => {
    await db.query('INSERT INTO people (id, data) VALUES ($1, $2::jsonb)', ['HMISXX001AAA', '{"id":"HMISXX001AAA","name":"From a node"}']);
    const run = await cli(['user', 'show', 'HMISXX001AAA'], { db });
    assert.deepEqual(outcome(run), {
      code: 0,
      stdout: `${JSON.stringify({ id: 'HMISXX001AAA', name: 'From a node' }, null, 2)}\n`,
      stderr: 'HMISXX001AAA has no password: cannot log in until one is set\n',
    });
    assert.deepEqual(outcome(await cli(['user', 'show', 'NOBODY'], { db })), fail('no user NOBODY'));
  });

  test('`user` alone or with an unknown subcommand is one line and exit 1', async () => {
    assert.deepEqual(
      outcome(await cli(['user'], { db })),
      fail('user: say which: add, passwd, roles, unlock or show (see thalamus user --help)'),
    );
    assert.deepEqual(
      outcome(await cli(['user', 'delete', 'X'], { db })),
      fail("unknown command 'user delete': add, passwd, roles, unlock or show (see thalamus user --help)"),
    );
  });
});
