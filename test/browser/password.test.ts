// The password page as a person uses it: headless Chromium (Debian's), Basic credentials, mouse and keyboard.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '../../src/app.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import type { Db } from '../../src/db/db.ts';
import { ANA, basic, seededDb, testConfig } from '../helper.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const OUTPUT = join(PROJECT_ROOT, 'test-output');
const NEW_PASSWORD = 'Violet-Harbour-42';
const missing = !existsSync(CHROMIUM);
// Under CI the test must run: a missing browser fails it instead of skipping it.
const skip = missing && !process.env.CI ? `no browser at ${CHROMIUM}: apt-get install chromium` : false;

describe('the password page in Chromium', { skip, timeout: 180_000 }, () => {
  let app: FastifyInstance;
  let db: Db;
  let browser: Browser;
  let base: string;
  const pageErrors: string[] = [];

  before(async () => {
    if (missing) throw new Error(`the browser test needs Chromium at ${CHROMIUM}: apt-get install chromium`);
    mkdirSync(OUTPUT, { recursive: true });
    db = await seededDb('pglite');
    app = await buildApp({ config: testConfig(), db, logger: false });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
  });

  /** A fresh browser profile signed in as Ana with the given password, on her form. */
  async function anasForm(password = ANA.password): Promise<Page> {
    const context = await browser.newContext({ httpCredentials: { username: ANA.id, password }, viewport: { width: 480, height: 800 } });
    const page = await context.newPage();
    // A CSP violation or a script error would show here; the browser's own favicon request does not count.
    page.on('console', (m) => m.type() === 'error' && !m.location().url.endsWith('/favicon.ico') && pageErrors.push(m.text()));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const res = await page.goto(`${base}/password/${ANA.id}`);
    assert.equal(res?.status(), 200);
    return page;
  }

  async function assertAccessible(page: Page): Promise<void> {
    const { violations } = await new AxeBuilder({ page }).analyze();
    assert.deepEqual(
      violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.failureSummary + ' ' + n.html).join('; ')})`),
      [],
    );
  }

  const errorBeside = async (page: Page, field: string) => (await page.locator(`#${field}-error`).textContent())?.trim();

  test('a mismatch shows its message beside the confirmation, and no typed password comes back', async () => {
    const page = await anasForm();
    await page.screenshot({ path: join(OUTPUT, 'password-form.png'), fullPage: true });
    await assertAccessible(page);
    assert.equal(await page.locator('input[name=username]').isVisible(), false);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByLabel('Confirm password').fill(`${NEW_PASSWORD}x`);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForLoadState();
    assert.equal(new URL(page.url()).pathname, `/password/${ANA.id}`);
    assert.equal(await errorBeside(page, 'pconfirm'), 'Error: The two passwords do not match.');
    assert.equal(await page.getByLabel('Confirm password').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('New password').inputValue(), '');
    assert.equal(await page.getByLabel('Confirm password').inputValue(), '');
    assert.equal(await page.getByRole('alert').getByRole('heading').innerText(), 'The password was not changed');
    await page.screenshot({ path: join(OUTPUT, 'password-error.png'), fullPage: true });
    await assertAccessible(page);
    await page.context().close();
  });

  test('keyboard only: a label focuses its field, Tab moves on, Enter submits; too short is told', async () => {
    const page = await anasForm();
    await page.getByText('New password', { exact: true }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');
    await page.keyboard.type('short');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'pconfirm');
    await page.keyboard.type('short');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.equal(await errorBeside(page, 'password'), 'Error: The password is too short: use 8 to 64 characters.');
    await page.getByText('Confirm password', { exact: true }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'pconfirm');
    await page.context().close();
  });

  test('from the welcome page to a new password: "Password updated" once, the old password refused', async () => {
    const context = await browser.newContext({ httpCredentials: { username: ANA.id, password: ANA.password } });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Federation account ID').fill(ANA.id.toLowerCase());
    await Promise.all([page.waitForURL(`${base}/password/${ANA.id}`), page.keyboard.press('Enter')]);

    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByLabel('Confirm password').fill(NEW_PASSWORD);
    await Promise.all([page.waitForURL(`${base}/`), page.getByRole('button', { name: 'Change password' }).click()]);
    assert.equal(await page.getByRole('status').innerText(), 'Password updated');
    await page.screenshot({ path: join(OUTPUT, 'password-updated.png'), fullPage: true });
    await assertAccessible(page);
    await page.reload();
    assert.equal(await page.getByRole('status').count(), 0);
    await context.close();

    // Through the API: the new password opens the account, the old one no longer does.
    const probe = app.hasRoute({ method: 'GET', url: '/login' }) ? '/login' : `/password/${ANA.id}`;
    const withNew = await fetch(`${base}${probe}`, { headers: { authorization: basic(ANA.id, NEW_PASSWORD) } });
    const withOld = await fetch(`${base}${probe}`, { headers: { authorization: basic(ANA.id, ANA.password) } });
    assert.deepEqual([withNew.status, withOld.status], [200, 401]);

    const again = await anasForm(NEW_PASSWORD);
    assert.equal(await again.getByRole('heading', { level: 1 }).innerText(), 'Change password');
    await again.context().close();
  });

  test('no page broke its Content-Security-Policy or raised a script error', () => {
    assert.deepEqual(pageErrors, []);
  });
});
