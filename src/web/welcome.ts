// The welcome page at GET /: what this server is, its version, the database's state, the way to the password form.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance } from 'fastify';
import { ping } from '../store/health.ts';
import { VERSION } from '../version.ts';
import { takeFlash } from './flash.ts';
import { html, page } from './html.ts';

async function databaseReady(app: FastifyInstance): Promise<boolean> {
  try {
    await ping(app.db);
    return true;
  } catch (err) {
    app.log.warn({ err }, 'welcome page: the database does not answer');
    return false;
  }
}

const welcomeRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get('/', async (request, reply) => {
    const notice = takeFlash(request, reply);
    const ready = await databaseReady(app);
    const main = html`${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
<h1>Welcome to the GNU Health Federation</h1>
<p>This is Thalamus, the message and authentication server of the federation.
Hospitals and laboratories (GNU Health HMIS nodes), the MyGNUHealth personal health record
and the Federation Portal exchange people's records and their Book of Life through it.</p>
<dl>
<dt>Version</dt><dd>${VERSION}</dd>
<dt>Database</dt><dd>${ready ? 'ready' : 'not answering; try again shortly'}</dd>
</dl>
<h2>Change your password</h2>
<form method="get" action="/password">
<div class="field">
<label for="account">Federation account ID</label>
<p class="hint" id="account-hint">As on your federation card, for example ESPGNU777ORG. You will be asked to sign in.</p>
<input type="text" id="account" name="account" autocomplete="username" autocapitalize="characters" spellcheck="false" required aria-describedby="account-hint">
</div>
<button type="submit">Continue</button>
</form>`;
    reply.type('text/html; charset=utf-8');
    return page('Welcome', main);
  });

  // A form without script cannot put the account ID into the path itself: it lands here first.
  // Any value (even a repeated field) reaches the handler, which turns what is not one account ID into the welcome page.
  const accountQuery = { type: 'object', properties: { account: {} } } as const;
  app.get('/password', { schema: { querystring: accountQuery } }, async (request, reply) => {
    const raw = request.query.account;
    const account = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
    // encodeURIComponent keeps the target a path on this server, whatever was typed.
    return reply.redirect(account ? `/password/${encodeURIComponent(account)}` : '/', 303);
  });
};

export default welcomeRoutes;
