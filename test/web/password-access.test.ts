// Who may open and submit the password form (the person themself or root), and its CSRF token.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { getPerson } from '../../src/store/people.ts';
import { buildApp } from '../../src/app.ts';
import { issueToken } from '../../src/web/csrf.ts';
import { ANA, CAMERON, ROOT, asAna, asCameron, asRoot, eachBackend, useApp } from '../helper.ts';
import { addAccount, assertSecurityHeaders, assertValidHtml, formStatus, submit, tokenOf } from './pages.ts';

const NEW = 'Violet-Harbour-42';
const FORM_ERROR = 'This form has expired or was not issued to you. Please enter the new password again.';
const EXPIRED = 'This form has expired. Please enter the new password again.';
const SPENT = 'This form was already submitted once. Please enter the new password again.';

eachBackend('password form: access', (backend) => {
  const ctx = useApp(backend);
  const storedHash = async (id: string) => (await getPerson(ctx.db, id))?.data?.password;

  test('the person sees their own form: labelled fields, a token, no values, safe headers', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/password/${ANA.id}`, headers: asAna });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assertSecurityHeaders(res.headers);
    assert.match(res.body, /<p>Account <strong>ESPGNU777ORG<\/strong> · Ana Betz<\/p>/);
    assert.match(res.body, /<form method="post" action="\/password\/ESPGNU777ORG" novalidate>/);
    assert.match(res.body, /<label for="password">New password<\/label>/);
    assert.match(res.body, /<label for="pconfirm">Confirm password<\/label>/);
    assert.match(tokenOf(res.body), /^\d+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    assert.doesNotMatch(res.body, /<input type="password"[^>]* value=/);
    await assertValidHtml(res.body);
  });

  test('no credentials: 401 with the Basic challenge, so the browser asks', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/password/${ANA.id}` });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['www-authenticate'], 'Basic realm="Thalamus", charset="UTF-8"');
    assertSecurityHeaders(res.headers);
    assert.match(res.body, /<h1>Sign in needed<\/h1>/);
    await assertValidHtml(res.body);
  });

  test("Ana may neither open nor submit Cameron's form (403)", async () => {
    const before = await storedHash(CAMERON.id);
    const page = await ctx.app.inject({ method: 'GET', url: `/password/${CAMERON.id}`, headers: asAna });
    assert.equal(page.statusCode, 403);
    assert.match(page.body, /<h1>Not permitted<\/h1>/);
    assertSecurityHeaders(page.headers);
    await assertValidHtml(page.body);
    const own = await ctx.app.inject({ method: 'GET', url: `/password/${ANA.id}`, headers: asAna });
    const post = await submit(ctx.app, CAMERON.id, asAna.authorization, { csrf_token: tokenOf(own.body), password: NEW, pconfirm: NEW });
    assert.equal(post.statusCode, 403);
    assert.equal(await storedHash(CAMERON.id), before);
  });

  test("Cameron, a health professional, may not change Ana's password (403)", async () => {
    const before = await storedHash(ANA.id);
    assert.equal((await ctx.app.inject({ method: 'GET', url: `/password/${ANA.id}`, headers: asCameron })).statusCode, 403);
    const own = await ctx.app.inject({ method: 'GET', url: `/password/${CAMERON.id}`, headers: asCameron });
    const post = await submit(ctx.app, ANA.id, asCameron.authorization, { csrf_token: tokenOf(own.body), password: NEW, pconfirm: NEW });
    assert.equal(post.statusCode, 403);
    assert.equal(await storedHash(ANA.id), before);
  });

  test("root may change another person's password", async () => {
    const eve = await addAccount(ctx.db, 'ESPEVE100AAA');
    const page = await ctx.app.inject({ method: 'GET', url: `/password/${eve.id}`, headers: asRoot });
    assert.equal(page.statusCode, 200);
    const res = await submit(ctx.app, eve.id, asRoot.authorization, { csrf_token: tokenOf(page.body), password: NEW, pconfirm: NEW });
    assert.equal(res.statusCode, 302);
    assert.equal(await formStatus(ctx.app, eve.id, eve.id, NEW), 200);
    assert.equal(await formStatus(ctx.app, eve.id, eve.id, eve.password), 401);
  });

  test('root asking for an unknown person gets 404, the id shown as text', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/password/%3Cscript%3Ealert(1)%3C%2Fscript%3E', headers: asRoot });
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /<p>There is no person with the account ID &lt;script&gt;alert\(1\)&lt;\/script&gt;\.<\/p>/);
    assert.doesNotMatch(res.body, /<script/);
  });

  const refusedTokens: [string, (id: string) => Promise<string | undefined>, string][] = [
    ['missing', async () => undefined, FORM_ERROR],
    ['garbage', async () => 'not-a-token', FORM_ERROR],
    [
      'forged with another key',
      async (id) => issueToken('x'.repeat(64), { callerId: id, callerHash: 'whatever', personId: id }),
      FORM_ERROR,
    ],
    [
      'expired',
      async (id) =>
        issueToken(ctx.config.secret, { callerId: id, callerHash: String(await storedHash(id)), personId: id }, Date.now() - 2 * 3600_000),
      EXPIRED,
    ],
  ];
  for (const [name, token, reason] of refusedTokens) {
    test(`a ${name} token: the form again with the reason, the password unchanged`, async () => {
      const acct = await addAccount(ctx.db, `ESPTOK${String(refusedTokens.findIndex(([n]) => n === name)).padStart(3, '0')}AAA`);
      const res = await submit(ctx.app, acct.id, acct.authorization, { csrf_token: await token(acct.id), password: NEW, pconfirm: NEW });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, new RegExp(`<li>${reason}</li>`));
      assert.match(tokenOf(res.body), /^\d+\./);
      assert.equal(await formStatus(ctx.app, acct.id, acct.id, acct.password), 200);
    });
  }

  test("each form submits once: root's token replayed after a change is refused, the password stays as first set", async () => {
    const eve = await addAccount(ctx.db, 'ESPONC001AAA');
    const form = await ctx.app.inject({ method: 'GET', url: `/password/${eve.id}`, headers: asRoot });
    const first = await submit(ctx.app, eve.id, asRoot.authorization, { csrf_token: tokenOf(form.body), password: NEW, pconfirm: NEW });
    assert.equal(first.statusCode, 302);
    const replay = await submit(ctx.app, eve.id, asRoot.authorization, {
      csrf_token: tokenOf(form.body),
      password: 'Another-Harbour-43',
      pconfirm: 'Another-Harbour-43',
    });
    assert.equal(replay.statusCode, 200);
    assert.match(replay.body, new RegExp(`<li>${SPENT}</li>`));
    assert.notEqual(tokenOf(replay.body), tokenOf(form.body));
    assert.equal(await formStatus(ctx.app, eve.id, eve.id, NEW), 200);
    assert.equal(await formStatus(ctx.app, eve.id, eve.id, 'Another-Harbour-43'), 401);
  });

  test('a form sent back for a broken rule is spent too; the new form it shows works', async () => {
    const eve = await addAccount(ctx.db, 'ESPONC002AAA');
    const form = await ctx.app.inject({ method: 'GET', url: `/password/${eve.id}`, headers: asRoot });
    const short = await submit(ctx.app, eve.id, asRoot.authorization, {
      csrf_token: tokenOf(form.body),
      password: 'short',
      pconfirm: 'short',
    });
    assert.equal(short.statusCode, 200);
    assert.doesNotMatch(short.body, /already submitted/);
    const replay = await submit(ctx.app, eve.id, asRoot.authorization, { csrf_token: tokenOf(form.body), password: NEW, pconfirm: NEW });
    assert.match(replay.body, new RegExp(`<li>${SPENT}</li>`));
    assert.equal(await formStatus(ctx.app, eve.id, eve.id, eve.password), 200);
    const retry = await submit(ctx.app, eve.id, asRoot.authorization, { csrf_token: tokenOf(short.body), password: NEW, pconfirm: NEW });
    assert.equal(retry.statusCode, 302);
    assert.equal(await formStatus(ctx.app, eve.id, eve.id, NEW), 200);
  });

  test('two submissions of one form at once: one changes the password, the other is refused', async () => {
    const eve = await addAccount(ctx.db, 'ESPONC003AAA');
    const form = await ctx.app.inject({ method: 'GET', url: `/password/${eve.id}`, headers: asRoot });
    const token = tokenOf(form.body);
    const answers = await Promise.all(
      ['Violet-Harbour-1', 'Violet-Harbour-2'].map((p) =>
        submit(ctx.app, eve.id, asRoot.authorization, { csrf_token: token, password: p, pconfirm: p }),
      ),
    );
    assert.deepEqual(answers.map((r) => r.statusCode).sort(), [200, 302]);
    assert.match(answers.find((r) => r.statusCode === 200)!.body, new RegExp(`<li>${SPENT}</li>`));
    const winner = answers[0].statusCode === 302 ? 'Violet-Harbour-1' : 'Violet-Harbour-2';
    assert.equal(await formStatus(ctx.app, eve.id, eve.id, winner), 200);
  });

  test('a token spent on one instance is refused by another on the same database', async () => {
    const other = await buildApp({ config: ctx.config, db: ctx.db, logger: false });
    try {
      const eve = await addAccount(ctx.db, 'ESPONC004AAA');
      const form = await other.inject({ method: 'GET', url: `/password/${eve.id}`, headers: asRoot });
      assert.equal(
        (await submit(other, eve.id, asRoot.authorization, { csrf_token: tokenOf(form.body), password: NEW, pconfirm: NEW })).statusCode,
        302,
      );
      const replay = await submit(ctx.app, eve.id, asRoot.authorization, { csrf_token: tokenOf(form.body), password: NEW, pconfirm: NEW });
      assert.match(replay.body, new RegExp(`<li>${SPENT}</li>`));
    } finally {
      await other.close();
    }
  });

  test('spent tokens are pruned an hour after they expire, newer ones kept', async () => {
    await ctx.db.query(
      `INSERT INTO spent_form_tokens (nonce, expires_at) VALUES ('old-nonce', now() - interval '2 hours'), ('recent-nonce', now() - interval '30 minutes')`,
    );
    const eve = await addAccount(ctx.db, 'ESPONC005AAA');
    const form = await ctx.app.inject({ method: 'GET', url: `/password/${eve.id}`, headers: asRoot });
    assert.equal(
      (await submit(ctx.app, eve.id, asRoot.authorization, { csrf_token: tokenOf(form.body), password: NEW, pconfirm: NEW })).statusCode,
      302,
    );
    const left = await ctx.db.query<{ nonce: string }>(`SELECT nonce FROM spent_form_tokens WHERE nonce IN ('old-nonce', 'recent-nonce')`);
    assert.deepEqual(left, [{ nonce: 'recent-nonce' }]);
  });

  test("another caller's token does not work: root's token for Ana's form, used by Ana", async () => {
    const rootsForm = await ctx.app.inject({ method: 'GET', url: `/password/${ANA.id}`, headers: asRoot });
    const res = await submit(ctx.app, ANA.id, asAna.authorization, { csrf_token: tokenOf(rootsForm.body), password: NEW, pconfirm: NEW });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, new RegExp(`<li>${FORM_ERROR}</li>`));
    assert.equal(await formStatus(ctx.app, ANA.id, ANA.id, ANA.password), 200);
  });

  test("a token for one person's form does not work on another's", async () => {
    const a = await addAccount(ctx.db, 'ESPONE001AAA');
    const b = await addAccount(ctx.db, 'ESPTWO002AAA');
    const formOfA = await ctx.app.inject({ method: 'GET', url: `/password/${a.id}`, headers: asRoot });
    const res = await submit(ctx.app, b.id, asRoot.authorization, { csrf_token: tokenOf(formOfA.body), password: NEW, pconfirm: NEW });
    assert.match(res.body, new RegExp(`<li>${FORM_ERROR}</li>`));
    assert.equal(await formStatus(ctx.app, b.id, b.id, b.password), 200);
  });

  test('a form shown before a password change is refused after it', async () => {
    const acct = await addAccount(ctx.db, 'ESPOLD003AAA');
    const first = await ctx.app.inject({ method: 'GET', url: `/password/${acct.id}`, headers: { authorization: acct.authorization } });
    assert.equal(
      (await submit(ctx.app, acct.id, acct.authorization, { csrf_token: tokenOf(first.body), password: NEW, pconfirm: NEW })).statusCode,
      302,
    );
    const again = await submit(ctx.app, acct.id, `Basic ${Buffer.from(`${acct.id}:${NEW}`).toString('base64')}`, {
      csrf_token: tokenOf(first.body),
      password: 'Another-Harbour-43',
      pconfirm: 'Another-Harbour-43',
    });
    assert.match(again.body, new RegExp(`<li>${FORM_ERROR}</li>`));
    assert.equal(await formStatus(ctx.app, acct.id, acct.id, NEW), 200);
  });
});

eachBackend('password form: an operator roles.cfg that grants health professionals the form', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'thalamus-roles-'));
  const roles = join(dir, 'roles.cfg');
  writeFileSync(
    roles,
    JSON.stringify([
      { role: 'end_user', permissions: { GET: ['password'], POST: ['password'], global: 'False' } },
      { role: 'health_professional', permissions: { GET: ['password'], POST: ['password'], global: 'True' } },
      { role: 'root', permissions: { GET: ['password'], POST: ['password'], global: 'True' } },
    ]),
  );
  const ctx = useApp(backend, { THALAMUS_ROLES: roles });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('Cameron is still refused: only the person or root (403)', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/password/${ANA.id}`, headers: asCameron });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /Only the person themself or an administrator may change this person&#39;s password\./);
    assert.equal(await formStatus(ctx.app, ROOT.id, ROOT.id, ROOT.password), 200);
  });
});
