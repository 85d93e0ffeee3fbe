// buildApp: the Fastify application with its plugins, error handler and every route module.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import type { Roles } from './auth/acl.ts';
import { loadRolesFile } from './auth/roles-file.ts';
import type { Config } from './config.ts';
import type { Db } from './db/db.ts';
import { registerBodyParser } from './body.ts';
import { registerCrossSiteGuard } from './cross-site.ts';
import { registerErrorHandler } from './error-handler.ts';
import { applyHeaderTimeout, closeAfterEarlyErrors, registerOverloadShedding, timeoutOptions } from './overload.ts';
import { clientErrorHandler, frameworkErrors, MAX_PARAM_LENGTH } from './framework-errors.ts';
import authPlugin from './auth/plugin.ts';
import auditPlugin from './audit/plugin.ts';
import auditRoutes from './audit/routes.ts';
import healthRoutes from './resources/health.ts';
import loginRoutes from './resources/login.ts';
import peopleRoutes from './resources/people.ts';
import polsRoutes from './resources/pols.ts';
import personalDocsRoutes from './resources/personal-docs.ts';
import domiciliaryUnitRoutes from './resources/domiciliary-units.ts';
import institutionRoutes from './resources/institutions.ts';
import webPages from './web/pages.ts';
import fhirRoutes from './fhir/routes.ts';
import feedRoutes from './relay/feed.ts';
import relayPlugin from './relay/plugin.ts';
import streamRoutes from './relay/stream.ts';
import subscriptionRoutes from './relay/subscriptions.ts';
import { BookCache } from './resources/book-cache.ts';
import discoveryRoutes from './oauth/discovery.ts';
import introspectEndpoint from './oauth/introspect-endpoint.ts';
import revokeEndpoint from './oauth/revoke-endpoint.ts';
import tokenEndpoint from './oauth/token-endpoint.ts';
import { decorateTokenServer } from './oauth/token-server.ts';
import { registerOpenApi } from './openapi/plugin.ts';
import metricsPlugin from './metrics/plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    config: Config;
    bookCache: BookCache;
  }
}

export interface BuildOptions {
  config: Config;
  db: Db;
  /** The ACL; read from config.rolesPath when not given. */
  roles?: Roles;
  /** Fastify's logger setting: false for none (tests); by default JSON lines at config.logLevel. */
  logger?: false;
  /** Serve TLS with these files (startup/tls.ts), asking for client certificates when it says so. */
  https?: { key: Buffer; cert: Buffer; ca?: Buffer; requestCert?: boolean; rejectUnauthorized?: boolean } | null;
}

export async function buildApp({ config, db, roles, logger, https }: BuildOptions): Promise<FastifyInstance> {
  const options = {
    logger: logger ?? { level: config.logLevel },
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrors(config.corsOrigins),
    clientErrorHandler: clientErrorHandler(config.corsOrigins),
    ...timeoutOptions(config),
    // Per-request lines only at debug: at info they would cost more than the request itself.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
  };
  const app: FastifyInstance = https ? Fastify({ ...options, https, http2: false }) : Fastify(options);

  applyHeaderTimeout(app, config);
  app.decorate('db', db);
  app.decorate('config', config);
  app.decorate('bookCache', new BookCache(config.bookCacheMb * 1024 * 1024));
  if (https) {
    // Served over TLS ourselves: browsers keep to https from then on (RFC 6797).
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('Strict-Transport-Security', 'max-age=31536000');
      return payload;
    });
  }
  // Once closing, every answer ends its connection: a kept-alive socket would hold the close open.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('Connection', 'close');
    return payload;
  });
  closeAfterEarlyErrors(app);
  registerBodyParser(app);
  registerErrorHandler(app);

  // docs/wire-contract.md, "Transport": CORS open by default; an operator may list the allowed origins instead.
  const anyOrigin = config.corsOrigins.includes('*');
  await app.register(cors, {
    origin: anyOrigin ? '*' : [...config.corsOrigins],
    methods: ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'],
    exposedHeaders: ['Link', 'WWW-Authenticate', 'Retry-After', 'ETag', 'Last-Modified'],
    maxAge: 600,
  });
  // After CORS (a shed request's 503 carries its headers), before any credential or database work.
  await registerOverloadShedding(app, config);
  // Before the auth hook: a cross-site write is refused without any bcrypt work.
  registerCrossSiteGuard(app);
  const acl = roles ?? loadRolesFile(config.rolesPath);
  await app.register(authPlugin, {
    db,
    roles: acl,
    failuresPerAddress: config.authFailuresPerAddress,
    clientCertificates: Boolean(https?.requestCert),
    tokens: { issuer: config.issuer, audience: config.tokenAudience, ttlSeconds: config.accessTokenTtl },
  });
  decorateTokenServer(app, config, db);
  // Before the routes: it describes each as it is added.
  await registerOpenApi(app);
  await app.register(metricsPlugin, { token: config.metricsToken });

  await app.register(auditPlugin, { db, reads: config.auditReads, days: config.auditDays });

  await app.register(webPages);
  await app.register(healthRoutes);
  await app.register(loginRoutes);
  await app.register(peopleRoutes);
  await app.register(polsRoutes);
  await app.register(personalDocsRoutes);
  await app.register(domiciliaryUnitRoutes);
  await app.register(institutionRoutes);
  await app.register(auditRoutes);
  await app.register(fhirRoutes, { prefix: '/fhir' });
  await app.register(discoveryRoutes, { roleNames: [...acl.keys()] });
  await app.register(tokenEndpoint);
  await app.register(revokeEndpoint);
  await app.register(introspectEndpoint);
  await app.register(relayPlugin, { db });
  await app.register(feedRoutes);
  await app.register(streamRoutes);
  await app.register(subscriptionRoutes);
  return app;
}
