// Basic credentials parsing, bcrypt verification of Python-made hashes, and the verified-credential cache.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { parseBasic } from '../../src/auth/credentials.ts';
import { CredentialCache } from '../../src/auth/credential-cache.ts';
import { PasswordChecks } from '../../src/auth/password-checks.ts';
import { bcryptCost, comparableHash, isBcryptHash, isUsableHash } from '../../src/auth/passwords.ts';

const ANA_HASH = '$2b$12$1mI4z2vpAhUwq71pLtrHcOO7kyK7I2I1i4Yw1JNjuqFvjG4U1if9K';
const b64 = (s: string) => Buffer.from(s).toString('base64');
// The comparisons the server makes, on its own threads: the production path.
const checks = new PasswordChecks({ threads: 1 });
after(() => checks.close());
const verifyPassword = (password: string, stored: unknown) => checks.compare(password, stored);

test('parseBasic reads id and password; the password may hold colons', () => {
  assert.deepEqual(parseBasic(`Basic ${b64('ESPGNU777ORG:gnusolidario')}`), { id: 'ESPGNU777ORG', password: 'gnusolidario' });
  assert.deepEqual(parseBasic(`basic   ${b64('A:b:c')}`), { id: 'A', password: 'b:c' });
  assert.deepEqual(parseBasic(`Basic ${b64('A:')}`), { id: 'A', password: '' });
});

test('parseBasic: absent, other schemes, no colon or no user are null', () => {
  for (const header of [undefined, '', 'Bearer abc', `Basic ${b64('nocolon')}`, `Basic ${b64(':pw')}`, 'Basic !!!']) {
    assert.equal(parseBasic(header), null, String(header));
  }
});

test('Python bcrypt hashes ($2b$, $2y$, $2a$) verify; malformed ones are false, not thrown', async () => {
  assert.equal(await verifyPassword('gnusolidario', ANA_HASH), true);
  assert.equal(await verifyPassword('gnusolidario', ANA_HASH.replace('$2b$', '$2y$')), true);
  assert.equal(await verifyPassword('wrong', ANA_HASH), false);
  for (const stored of [undefined, null, 42, '', 'plain', '$2b$12$short', '$2x$12$1mI4z2vpAhUwq71pLtrHcOO7kyK7I2I1i4Yw1JNjuqFvjG4U1if9K']) {
    assert.equal(isBcryptHash(stored), false, String(stored));
    assert.equal(await verifyPassword('gnusolidario', stored), false, String(stored));
  }
});

test('a stored hash is compared only with a cost from 10 to 14; any other gets the dummy hash and answers no', async () => {
  const salt = ANA_HASH.slice(7);
  for (const cost of ['00', '04', '09', '15', '17', '31', '99']) {
    const hash = `$2b$${cost}$${salt}`;
    assert.equal(isBcryptHash(hash), true, cost);
    assert.equal(isUsableHash(hash), false, cost);
    assert.equal(comparableHash(hash).real, false, cost);
    assert.notEqual(comparableHash(hash).hash, hash, `cost ${cost} never reaches bcrypt`);
  }
  for (const cost of ['10', '12', '14']) assert.equal(isUsableHash(`$2y$${cost}$${salt}`), true, cost);
  assert.equal(bcryptCost(ANA_HASH), 12);
  // The right password with a cheap hash is still refused: the server never compares it.
  assert.equal(await verifyPassword('gnusolidario', '$2b$04$wXGubcnxfHdEuclaiP22.u1Ah1cMmlastzdsDeW29d6DrhM/PSol2'), false);
});

test('the credential cache matches only the same id, password and stored hash', () => {
  const cache = new CredentialCache();
  cache.remember(cache.keyOf('A', 'pw', ANA_HASH));
  assert.equal(cache.has(cache.keyOf('A', 'pw', ANA_HASH)), true);
  assert.equal(cache.has(cache.keyOf('A', 'other', ANA_HASH)), false);
  assert.equal(cache.has(cache.keyOf('B', 'pw', ANA_HASH)), false);
  assert.equal(cache.has(cache.keyOf('A', 'pw', ANA_HASH.replace('$2b$', '$2y$'))), false, 'a changed hash never matches');
  assert.ok(!cache.keyOf('A', 'pw', ANA_HASH).includes('pw'), 'the key is a digest, not the password');
});
