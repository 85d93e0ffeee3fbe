// GET/POST /password/<person_id>: the form where a person (or root) sets a new password.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance } from 'fastify';
import { requireCaller, type Caller } from '../auth/caller.ts';
import { hashPassword } from '../auth/passwords.ts';
import { forbidden, notFound } from '../errors.ts';
import type { Queryable } from '../db/db.ts';
import { spendFormToken } from '../store/form-tokens.ts';
import { getPerson, mergePerson, type PersonRow } from '../store/people.ts';
import { checkToken, issueToken, type TokenBinding, type ValidToken } from './csrf.ts';
import { setFlash } from './flash.ts';
import { passwordPage, type PasswordFormView } from './password-page.ts';
import { checkNewPassword } from './password-rules.ts';

// Any id, even an empty one, reaches the handler: it answers a page (404) rather than a JSON 400.
const params = { type: 'object', properties: { person_id: { type: 'string' } }, required: ['person_id'] } as const;

/**
 * The person themself or root, nobody else. roles.cfg already grants `password` only so,
 * but an operator's file may differ, and the reference removed this right from health
 * professionals on purpose (docs/wire-contract.md), so it is checked here as well.
 */
function mayChangePassword(caller: Caller, personId: string): boolean {
  return (caller.kind === 'person' && caller.id === personId) || caller.roles.includes('root');
}

interface FormContext {
  person: PersonRow;
  binding: TokenBinding;
}

/** The caller has been authenticated and allowed by roles.cfg (config.endpoint) before this runs. */
async function formContext(app: FastifyInstance, caller: Caller, personId: string): Promise<FormContext> {
  if (!mayChangePassword(caller, personId)) {
    throw forbidden("Only the person themself or an administrator may change this person's password.");
  }
  const person = await getPerson(app.db, personId);
  if (!person) throw notFound(`There is no person with the account ID ${personId}.`);
  const binding = { callerId: caller.id, callerHash: String(caller.data.password), personId: person.id };
  return { person, binding };
}

/** A form field as text; a missing or repeated field counts as empty. */
function text(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, name)) return '';
  const value: unknown = Reflect.get(body, name);
  return typeof value === 'string' ? value : '';
}

const FORM_ERRORS = {
  invalid: 'This form has expired or was not issued to you. Please enter the new password again.',
  expired: 'This form has expired. Please enter the new password again.',
  spent: 'This form was already submitted once. Please enter the new password again.',
} as const;

/** Thrown inside the write's transaction when its token turns out spent: nothing is written. */
class SpentToken extends Error {}

/** Spends the token (each form is submitted once: README.md, "The web pages"); throws SpentToken when it already was. */
async function spend(q: Queryable, token: ValidToken): Promise<void> {
  if (!(await spendFormToken(q, token.nonce, token.expires))) throw new SpentToken();
}

const passwordRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const secret = app.config.secret;
  const render = (context: FormContext, view: Partial<PasswordFormView> = {}) =>
    passwordPage({ person: context.person, csrfToken: issueToken(secret, context.binding), ...view });

  app.get('/password/:person_id', { config: { endpoint: 'password' }, schema: { params } }, async (request, reply) => {
    const context = await formContext(app, requireCaller(request), request.params.person_id);
    reply.type('text/html; charset=utf-8');
    return render(context);
  });

  const form = { config: { endpoint: 'password', body: 'form', audit: { action: 'update' } }, schema: { params } } as const;
  app.post('/password/:person_id', form, async (request, reply) => {
    const context = await formContext(app, requireCaller(request), request.params.person_id);
    reply.type('text/html; charset=utf-8');
    // The form shown again is a 200 that changed nothing: its audit entry says so.
    const refuse = (view: Partial<PasswordFormView>) => {
      request.auditOutcome = 'failed';
      return render(context, view);
    };
    const check = checkToken(secret, context.binding, text(request.body, 'csrf_token'));
    if (!check.ok) return refuse({ formError: FORM_ERRORS[check.reason] });
    const password = text(request.body, 'password');
    const fieldError = checkNewPassword(password, text(request.body, 'pconfirm'));
    try {
      if (fieldError) {
        // Spent all the same: a form is submitted once, whatever it held (the new form has a new token).
        await spend(app.db, check.token);
        return refuse({ fieldError });
      }
      // The credential cache is keyed by the stored hash, so the old password stops working at once.
      const hash = await hashPassword(password);
      // Spent in the write's transaction: a token is used exactly when a change was made with it.
      await app.audit.write(request, async (tx) => {
        await spend(tx, check.token);
        if (!(await mergePerson(tx, { actor: context.binding.callerId, node: null }, context.person.id, { password: hash }))) {
          throw notFound(`There is no person with the account ID ${context.person.id}.`);
        }
      });
    } catch (err) {
      if (err instanceof SpentToken) return refuse({ formError: FORM_ERRORS.spent });
      throw err;
    }
    request.log.info({ person: context.person.id, by: context.binding.callerId }, 'password changed through the form');
    setFlash(request, reply, 'password-updated');
    return reply.redirect('/', 302);
  });
};

export default passwordRoutes;
