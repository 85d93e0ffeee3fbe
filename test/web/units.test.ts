// The web pages' pure parts: CSRF tokens, HTML escaping, the password rules and the common-password list.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkToken, issueToken, TOKEN_LIFETIME_MS } from '../../src/web/csrf.ts';
import { isCommonPassword } from '../../src/auth/common-passwords.ts';
import { html } from '../../src/web/html.ts';
import { checkNewPassword } from '../../src/web/password-rules.ts';

const SECRET = 'a'.repeat(64);
const BINDING = { callerId: 'ESPGNU777ORG', callerHash: '$2b$12$hash', personId: 'ESPGNU777ORG' };

describe('CSRF tokens', () => {
  const now = 1_800_000_000_000;
  const token = issueToken(SECRET, BINDING, now);
  const valid = (t: unknown, binding = BINDING, at = now, secret = SECRET) => checkToken(secret, binding, t, at).ok;

  test('a token verifies for its own binding until it expires, and says when that is', () => {
    assert.match(token, /^\d+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(checkToken(SECRET, BINDING, token, now), {
      ok: true,
      token: { nonce: token.split('.')[1], expires: new Date(now + TOKEN_LIFETIME_MS) },
    });
    assert.equal(valid(token, BINDING, now + TOKEN_LIFETIME_MS - 1000), true);
    assert.deepEqual(checkToken(SECRET, BINDING, token, now + TOKEN_LIFETIME_MS), { ok: false, reason: 'expired' });
  });

  test('every form shown gets its own token (its own nonce to spend)', () => {
    const again = issueToken(SECRET, BINDING, now);
    assert.notEqual(again, token);
    assert.notEqual(again.split('.')[1], token.split('.')[1]);
  });

  test('every part of the binding and the secret matter', () => {
    assert.equal(valid(token, { ...BINDING, callerId: 'ARGBUE111FAV' }), false);
    assert.equal(valid(token, { ...BINDING, callerHash: '$2b$12$other' }), false);
    assert.equal(valid(token, { ...BINDING, personId: 'ITAPYT999HON' }), false);
    assert.equal(valid(token, BINDING, now, 'b'.repeat(64)), false);
  });

  test('a changed expiry or nonce, a cut or a non-string token is refused as invalid, even when expired', () => {
    const [expires, nonce, mac] = token.split('.');
    const other = issueToken(SECRET, BINDING, now).split('.')[1];
    for (const bad of [
      `${Number(expires) + 3600}.${nonce}.${mac}`,
      `${expires}.${other}.${mac}`,
      token.slice(0, -1),
      `${expires}.${mac}`,
      undefined,
      [token],
    ]) {
      assert.deepEqual(checkToken(SECRET, BINDING, bad, now), { ok: false, reason: 'invalid' });
    }
    assert.deepEqual(checkToken(SECRET, { ...BINDING, callerId: 'X' }, token, now + 2 * TOKEN_LIFETIME_MS), {
      ok: false,
      reason: 'invalid',
    });
  });
});

describe('html escaping', () => {
  test('interpolated text is escaped, nested fragments are kept, empty values vanish', () => {
    const name = `<script>alert("x")</script> & 'y'`;
    assert.equal(
      html`<p title="${name}">${name}${html`<b>${1}</b>`}${null}${undefined}${false}${['<i>', html`<i>`]}</p>`.markup,
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;<b>1</b>&lt;i&gt;<i></p>',
    );
  });
});

describe('password rules', () => {
  test('the contract order: equal, then 8 to 64 characters, then not common', () => {
    assert.deepEqual(checkNewPassword('abc', 'abd'), { field: 'pconfirm', message: 'The two passwords do not match.' });
    assert.deepEqual(checkNewPassword('', ''), { field: 'password', message: 'Enter a new password.' });
    assert.deepEqual(checkNewPassword('Kv7#pW2', 'Kv7#pW2'), {
      field: 'password',
      message: 'The password is too short: use 8 to 64 characters.',
    });
    assert.equal(checkNewPassword('Kv7#pW2q', 'Kv7#pW2q'), null);
    assert.equal(checkNewPassword('k'.repeat(64), 'k'.repeat(64)), null);
    assert.deepEqual(checkNewPassword('k'.repeat(65), 'k'.repeat(65)), {
      field: 'password',
      message: 'The password is too long: use 8 to 64 characters.',
    });
    assert.deepEqual(checkNewPassword('password', 'password'), {
      field: 'password',
      message: 'This is one of the most common passwords: choose one that is harder to guess.',
    });
  });

  test('characters are counted as a person sees them, bytes as bcrypt reads them', () => {
    assert.equal(checkNewPassword('🙂'.repeat(8), '🙂'.repeat(8)), null);
    assert.equal(checkNewPassword('ñ'.repeat(36), 'ñ'.repeat(36)), null);
    assert.equal(checkNewPassword('ñ'.repeat(37), 'ñ'.repeat(37))?.field, 'password');
  });

  test('the common list comes from the package, ignores case and lets good passwords through', () => {
    for (const common of ['123456', 'password', 'Password123', 'QWERTYUIOP', 'iloveyou12', 'baseball'])
      assert.equal(isCommonPassword(common), true, common);
    for (const fine of ['gnusolidario', 'Violet-Harbour-42', 'correct horse battery staple'])
      assert.equal(isCommonPassword(fine), false, fine);
  });
});
