// The bcrypt threads: correct answers, a bounded queue (503 beyond it), and a lower CPU priority than the requests.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { PasswordChecks } from '../../src/auth/password-checks.ts';
import { AppError } from '../../src/errors.ts';

// Ana's demo password, hashed at cost 10 (the lowest the server compares) so the test is quick.
const HASH = '$2b$10$7giKPnsqtqFcKB9Y.DePBeu0GPKpbmNK0ecWpP1vcazshNtd0dLhG';
const checks = new PasswordChecks({ threads: 1, maxWaiting: 2, niceness: 10 });
after(() => checks.close());

test('answers true for the right password, false for a wrong one, a $2y$ spelling, or no hash at all', async () => {
  assert.equal(await checks.compare('gnusolidario', HASH), true);
  assert.equal(await checks.compare('gnusolidario', HASH.replace('$2b$', '$2y$')), true);
  assert.equal(await checks.compare('wrong', HASH), false);
  for (const stored of [undefined, null, '', 'gnusolidario', 42]) assert.equal(await checks.compare('gnusolidario', stored), false);
});

test('beyond the waiting limit a check is refused at once with 503 and Retry-After, and the others still finish', async () => {
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => checks.compare('gnusolidario', HASH)));
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  assert.ok(refused.length > 0, 'nothing was refused');
  for (const r of refused) {
    const err: unknown = r.reason;
    assert.ok(err instanceof AppError);
    assert.deepEqual(
      [err.statusCode, err.message, err.headers],
      [503, 'Too many password checks under way; try again shortly', { 'Retry-After': '1' }],
    );
  }
  assert.ok(results.some((r) => r.status === 'fulfilled' && r.value === true));
});

test('addresses take turns: a check from a new address runs next, whatever another address has queued', async () => {
  const fair = new PasswordChecks({ threads: 1, maxWaitingPerAddress: 20, niceness: 0 });
  try {
    const order: string[] = [];
    const flood = Array.from({ length: 10 }, (_, i) => fair.compare('wrong', HASH, '127.0.0.2').then(() => order.push(`flood ${i}`)));
    const login = fair.compare('gnusolidario', HASH, '127.0.0.1').then((ok) => order.push(`login ${ok}`));
    await Promise.all([...flood, login]);
    // flood 0 was running when the login arrived; the login went next.
    assert.equal(order.indexOf('login true'), 1, order.join(', '));
  } finally {
    await fair.close();
  }
});

test('one address may keep only so many checks waiting: beyond that 429, while other addresses still get in', async () => {
  const capped = new PasswordChecks({ threads: 1, maxWaitingPerAddress: 2, maxWaiting: 100, niceness: 0 });
  try {
    const results = await Promise.allSettled([
      ...Array.from({ length: 6 }, () => capped.compare('wrong', HASH, '127.0.0.2')),
      capped.compare('gnusolidario', HASH, '127.0.0.1'),
    ]);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as AppError);
    assert.ok(refused.length >= 3, `refused ${refused.length}`);
    for (const err of refused) {
      assert.deepEqual(
        [err.statusCode, err.message, err.headers],
        [429, 'Too many password checks from your address under way; try again shortly', { 'Retry-After': '1' }],
      );
    }
    assert.deepEqual(results[6], { status: 'fulfilled', value: true });
  } finally {
    await capped.close();
  }
});

test(
  'the comparing thread runs at nice 10 (Linux)',
  { skip: process.platform !== 'linux' && 'nice values per thread are a Linux detail' },
  async () => {
    await checks.compare('gnusolidario', HASH);
    const niceValues = readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
    assert.ok(niceValues.includes(10), `nice values of this process's threads: ${niceValues.join(',')}`);
    assert.ok(niceValues.includes(0), 'the main thread keeps its priority');
  },
);
