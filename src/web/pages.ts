// The HTML pages as one encapsulated plugin: their routes, their security headers, their error pages.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { AppError } from '../errors.ts';
import { html, page } from './html.ts';
import passwordRoutes from './password.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import stylesheetRoute from './stylesheet.ts';
import welcomeRoutes from './welcome.ts';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Sign in needed',
  403: 'Not permitted',
  404: 'Not found',
  429: 'Too many attempts',
};

const HINTS: Record<number, string> = {
  401: 'Sign in with your federation account ID and password to continue.',
};

const webPages: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  // Encapsulated (no fastify-plugin): these hooks and this handler touch only the pages below.
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
    return payload;
  });

  // A person meets these errors in a browser: answer a page, not JSON. Anything else goes on
  // to the application's handler (a handler that throws hands the error to its parent's).
  app.setErrorHandler(async (err, _request, reply) => {
    if (!(err instanceof AppError)) throw err;
    const title = TITLES[err.statusCode] ?? 'Something went wrong';
    const main = html`<h1>${title}</h1>
<p>${err.message}</p>
${HINTS[err.statusCode] ? html`<p>${HINTS[err.statusCode]}</p>` : null}
<p><a href="/">Back to the welcome page</a></p>`;
    reply.headers(err.headers).code(err.statusCode).type('text/html; charset=utf-8');
    return page(title, main);
  });

  await app.register(stylesheetRoute);
  await app.register(welcomeRoutes);
  await app.register(passwordRoutes);
};

export default webPages;
