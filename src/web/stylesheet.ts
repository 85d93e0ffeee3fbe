// The pages' one stylesheet, served from the app so the CSP can stay `style-src 'self'`.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { STYLESHEET_PATH } from './html.ts';

const CSS = `:root { color-scheme: light dark; --accent: #1d6f42; --error: #b3261e; --muted: #505a5f; }
body { margin: 0; font: 1.0625rem/1.5 system-ui, sans-serif; }
header { padding: 0.5rem 1rem; background: var(--accent); color: #fff; }
header p { margin: 0; font-weight: 600; }
main { max-width: 38rem; padding: 1rem; margin: 0 auto; }
h1 { font-size: 1.75rem; line-height: 1.2; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
.field { margin: 1.25rem 0; }
label { display: block; font-weight: 600; }
.hint { margin: 0.25rem 0; color: var(--muted); }
[hidden] { display: none !important; }
input:not([type=hidden]) { display: block; width: 100%; max-width: 24rem; box-sizing: border-box; padding: 0.5rem; font: inherit; border: 2px solid currentColor; border-radius: 0; }
button { padding: 0.5rem 1.25rem; font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 2px solid transparent; cursor: pointer; }
:focus-visible { outline: 3px solid #fd0; outline-offset: 0; box-shadow: 0 0 0 5px #0b0c0c; }
.notice { padding: 0.75rem 1rem; border-left: 6px solid var(--accent); font-weight: 600; }
.error-summary { padding: 0.75rem 1rem; border: 4px solid var(--error); }
.error-summary h2 { margin-top: 0; font-size: 1.25rem; }
.error-message { margin: 0.25rem 0; color: var(--error); font-weight: 600; }
.field-error { padding-left: 0.75rem; border-left: 4px solid var(--error); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.field-error input { border-color: var(--error); }
@media (prefers-color-scheme: dark) { :root { --error: #ff8a80; --muted: #c0c4c6; } }
`;

const stylesheetRoute: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get(STYLESHEET_PATH, async (_request, reply) => {
    reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=3600');
    return CSS;
  });
};

export default stylesheetRoute;
