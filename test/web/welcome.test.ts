// The welcome page: what it says, its headers, the one-time "Password updated", the account form, the stylesheet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VERSION } from '../../src/version.ts';
import { eachBackend, useApp } from '../helper.ts';
import { addAccount, assertSecurityHeaders, assertValidHtml, changePassword } from './pages.ts';

const NOTICE = '<p class="notice" role="status">Password updated</p>';

eachBackend('welcome page', (backend) => {
  const ctx = useApp(backend);

  test('GET / says what this is, its version and that the database is ready, as valid HTML5', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assertSecurityHeaders(res.headers);
    assert.equal(res.headers['set-cookie'], undefined);
    assert.match(res.body, /^<!DOCTYPE html>\n<html lang="en">/);
    assert.match(res.body, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.match(res.body, /<h1>Welcome to the GNU Health Federation<\/h1>/);
    assert.ok(res.body.includes(`<dt>Version</dt><dd>${VERSION}</dd>`));
    assert.ok(res.body.includes('<dt>Database</dt><dd>ready</dd>'));
    assert.ok(res.body.includes('<form method="get" action="/password">'));
    assert.ok(!res.body.includes(NOTICE));
    assert.doesNotMatch(res.body, /<script|style=/);
    await assertValidHtml(res.body);
  });

  test('after a password change, / shows "Password updated" once, then no more', async () => {
    const acct = await addAccount(ctx.db, 'ESPWEL001AAA');
    const changed = await changePassword(ctx.app, acct.id, acct.authorization, 'Violet-Harbour-42');
    assert.equal(changed.statusCode, 302);
    const setCookie = changed.headers['set-cookie'] as string;
    assert.equal(setCookie, 'thalamus_flash=password-updated; Max-Age=300; Path=/; HttpOnly; SameSite=Strict');
    const cookie = setCookie.split(';')[0];

    const first = await ctx.app.inject({ method: 'GET', url: '/', headers: { cookie } });
    assert.ok(first.body.includes(NOTICE));
    assert.equal(first.headers['set-cookie'], 'thalamus_flash=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict');
    assert.equal(first.headers['cache-control'], 'no-store');
    await assertValidHtml(first.body);

    // The browser dropped the cookie as told: the next visit has none and shows nothing.
    const second = await ctx.app.inject({ method: 'GET', url: '/' });
    assert.ok(!second.body.includes('Password updated'));
  });

  test('a made-up flash cookie shows nothing and is cleared', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/', headers: { cookie: 'thalamus_flash=%3Cb%3EYou%20won%3C%2Fb%3E' } });
    assert.equal(res.statusCode, 200);
    assert.ok(!res.body.includes('class="notice"'));
    assert.ok(!res.body.includes('You won'));
    assert.equal(res.headers['set-cookie'], 'thalamus_flash=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict');
  });

  test('the account form leads to /password/<ID>, upper-cased, and only to a path of this server', async () => {
    const cases: [string, string][] = [
      ['/password?account=espgnu777org', '/password/ESPGNU777ORG'],
      ['/password?account=%20ESPGNU777ORG%20', '/password/ESPGNU777ORG'],
      ['/password?account=%2F%2Fevil.example%2Fx%3Fy', '/password/%2F%2FEVIL.EXAMPLE%2FX%3FY'],
      ['/password?account=', '/'],
      ['/password', '/'],
    ];
    for (const [url, location] of cases) {
      const res = await ctx.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 303, url);
      assert.equal(res.headers.location, location, url);
    }
  });

  test('the stylesheet is served from the app, as CSS, cacheable', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/thalamus.css' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'public, max-age=3600');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(res.body, /:focus-visible/);
  });

  test('with the database gone, / still answers and says so', async () => {
    await ctx.db.close();
    const res = await ctx.app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.ok(res.body.includes('<dt>Database</dt><dd>not answering; try again shortly</dd>'));
  });
});
