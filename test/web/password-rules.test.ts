// The password form's rules through HTTP: equal fields, 8 to 64 characters, not common, nothing echoed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asRoot, eachBackend, useApp } from '../helper.ts';
import { addAccount, assertValidHtml, changePassword, fieldState, formStatus } from './pages.ts';

const TOO_SHORT = 'The password is too short: use 8 to 64 characters.';
const TOO_LONG = 'The password is too long: use 8 to 64 characters.';
/** n characters that are on no list of common passwords. */
const chars = (n: number) => 'Kv7#pW2q'.repeat(Math.ceil(n / 8)).slice(0, n);

eachBackend('password form: rules', (backend) => {
  const ctx = useApp(backend);
  let serial = 0;
  const account = () => addAccount(ctx.db, `ESPRUL${String(++serial).padStart(3, '0')}AAA`);

  const refused: [string, string, string, 'password' | 'pconfirm', string][] = [
    ['7 characters', chars(7), chars(7), 'password', TOO_SHORT],
    ['65 characters', chars(65), chars(65), 'password', TOO_LONG],
    ['an empty password', '', '', 'password', 'Enter a new password.'],
    ['a confirmation that differs', chars(12), `${chars(11)}x`, 'pconfirm', 'The two passwords do not match.'],
    ['a mismatch and a short password: the mismatch is told first', 'abc', 'abd', 'pconfirm', 'The two passwords do not match.'],
    [
      'a common password',
      'qwertyuiop',
      'qwertyuiop',
      'password',
      'This is one of the most common passwords: choose one that is harder to guess.',
    ],
    [
      'a common password in other case',
      'Password123',
      'Password123',
      'password',
      'This is one of the most common passwords: choose one that is harder to guess.',
    ],
    [
      '64 characters longer than bcrypt reads (over 72 bytes)',
      'é'.repeat(40),
      'é'.repeat(40),
      'password',
      'The password is too long: letters outside A to Z count as 2 to 4 characters; use fewer.',
    ],
  ];
  for (const [name, password, pconfirm, field, message] of refused) {
    test(`refuses ${name}: 200, the reason beside its field, nothing echoed, nothing stored`, async () => {
      const acct = await account();
      const res = await changePassword(ctx.app, acct.id, acct.authorization, password, pconfirm);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.deepEqual(fieldState(res.body, field), { error: message, invalid: true });
      const other = field === 'password' ? 'pconfirm' : 'password';
      assert.deepEqual(fieldState(res.body, other), { error: '', invalid: false });
      assert.match(res.body, new RegExp(`<li><a href="#${field}">`));
      assert.match(res.body, /<title>Error: Change password - Thalamus<\/title>/);
      if (password.length >= 3) assert.ok(!res.body.includes(password) && !res.body.includes(pconfirm), 'typed passwords are not echoed');
      await assertValidHtml(res.body);
      assert.equal(await formStatus(ctx.app, acct.id, acct.id, acct.password), 200);
    });
  }

  for (const length of [8, 64]) {
    test(`accepts ${length} characters: 302 to /, the new password works and the old one no longer does`, async () => {
      const acct = await account();
      assert.equal(await formStatus(ctx.app, acct.id, acct.id, acct.password), 200);
      const res = await changePassword(ctx.app, acct.id, acct.authorization, chars(length));
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/');
      assert.equal(res.body, '');
      assert.equal(await formStatus(ctx.app, acct.id, acct.id, chars(length)), 200);
      // The old one was verified (and cached) above: the cache must not let it in again.
      assert.equal(await formStatus(ctx.app, acct.id, acct.id, acct.password), 401);
    });
  }

  test('a missing field or a repeated field counts as empty', async () => {
    const acct = await account();
    const form = await ctx.app.inject({ method: 'GET', url: `/password/${acct.id}`, headers: { authorization: acct.authorization } });
    const token = /name="csrf_token" value="([^"]+)"/.exec(form.body)![1];
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/password/${acct.id}`,
      headers: { authorization: acct.authorization, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `csrf_token=${encodeURIComponent(token)}&password=${chars(10)}&password=${chars(10)}`,
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(fieldState(res.body, 'password'), { error: 'Enter a new password.', invalid: true });
    assert.equal(await formStatus(ctx.app, acct.id, acct.id, acct.password), 200);
  });

  test('a person whose name holds markup is shown as text', async () => {
    const acct = await addAccount(ctx.db, 'ESPXSS666AAA', {
      name: '<script>alert(1)</script>',
      lastname: '"><img src=x onerror=alert(2)>',
    });
    const res = await ctx.app.inject({ method: 'GET', url: `/password/${acct.id}`, headers: asRoot });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /· &lt;script&gt;alert\(1\)&lt;\/script&gt; &quot;&gt;&lt;img src=x onerror=alert\(2\)&gt;<\/p>/);
    assert.doesNotMatch(res.body, /<script|<img/);
    await assertValidHtml(res.body);
  });
});
