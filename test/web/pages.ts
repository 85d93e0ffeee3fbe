// Shared by the web page tests: submitting the password form and reading what a page shows.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { HtmlValidate } from 'html-validate';
import { hashPassword } from '../../src/auth/passwords.ts';
import type { Db } from '../../src/db/db.ts';
import { insertPerson } from '../../src/store/people.ts';
import { basic } from '../helper.ts';

export const HTML_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

export function assertSecurityHeaders(headers: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(HTML_HEADERS)) assert.equal(headers[name], value, name);
}

/** The hidden csrf_token of a form page. */
export function tokenOf(body: string): string {
  const match = /<input type="hidden" name="csrf_token" value="([^"]+)">/.exec(body);
  assert.ok(match, 'the page has a csrf_token field');
  return match[1];
}

/** The error shown beside a field ("" when none), and whether the field is marked invalid. */
export function fieldState(body: string, field: 'password' | 'pconfirm'): { error: string; invalid: boolean } {
  const error = new RegExp(`<p class="error-message" id="${field}-error"><span class="visually-hidden">Error: </span>([^<]*)</p>`).exec(
    body,
  );
  const input = new RegExp(`<input type="password" id="${field}" [^>]*>`).exec(body);
  assert.ok(input, `the page has the ${field} field`);
  if (error) assert.match(input[0], new RegExp(`aria-describedby="[^"]*${field}-error"`));
  return { error: error?.[1] ?? '', invalid: input[0].includes('aria-invalid="true"') };
}

export interface Account {
  id: string;
  password: string;
  authorization: string;
}

/** A new end user (the cheapest bcrypt cost the server compares, so tests stay quick) whose password the test may change. */
export async function addAccount(db: Db, id: string, data: Record<string, unknown> = {}): Promise<Account> {
  const password = `start-${id.toLowerCase()}`;
  const stored = await insertPerson(db, { actor: 'test', node: null }, id, {
    id,
    name: 'Test',
    lastname: 'Person',
    roles: ['end_user'],
    active: true,
    password: await hashPassword(password, 10),
    ...data,
  });
  assert.ok(stored);
  return { id, password, authorization: basic(id, password) };
}

export interface Submission {
  csrf_token?: string;
  password?: string;
  pconfirm?: string;
}

/** POSTs the password form of `personId` as the browser would send it. */
export function submit(app: FastifyInstance, personId: string, authorization: string, fields: Submission) {
  return app.inject({
    method: 'POST',
    url: `/password/${personId}`,
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields as Record<string, string>).toString(),
  });
}

/** Opens the form, then submits it with its own token and the given password twice (or as given). */
export async function changePassword(app: FastifyInstance, personId: string, authorization: string, password: string, pconfirm = password) {
  const form = await app.inject({ method: 'GET', url: `/password/${personId}`, headers: { authorization } });
  assert.equal(form.statusCode, 200);
  return submit(app, personId, authorization, { csrf_token: tokenOf(form.body), password, pconfirm });
}

/** Opens the form with the given credentials and answers its status: 200 when they work. */
export async function formStatus(app: FastifyInstance, personId: string, id: string, password: string): Promise<number> {
  const res = await app.inject({ method: 'GET', url: `/password/${personId}`, headers: { authorization: basic(id, password) } });
  return res.statusCode;
}

const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });

/** Fails with the validator's messages unless the page is valid HTML5. */
export async function assertValidHtml(body: string): Promise<void> {
  const report = await validator.validateString(body);
  const messages = report.results.flatMap((r) => r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`));
  assert.deepEqual(messages, []);
}
