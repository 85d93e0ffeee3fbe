// What the token endpoints share: settings, the signer (when a key-encryption key is known), the form reader.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import type { TokenSettings } from './access-tokens.ts';
import { invalidRequest, temporarilyUnavailable } from './errors.ts';
import { keyEncryptionKey } from './key-encryption.ts';
import { Signer } from './signing-keys.ts';

export class TokenServer {
  private readonly signerOrNull: Signer | null;

  constructor(
    readonly config: Config,
    readonly db: Db,
  ) {
    const kek = keyEncryptionKey(config);
    this.signerOrNull = kek ? new Signer(db, kek) : null;
  }

  /** Issuing needs the private key; without a key-encryption key (PostgreSQL, none set) the endpoint is off. */
  signer(): Signer {
    if (!this.signerOrNull) {
      throw temporarilyUnavailable('The token server is off: set THALAMUS_KEY_ENCRYPTION_KEY (README, "Tokens")');
    }
    return this.signerOrNull;
  }

  get issuing(): boolean {
    return this.signerOrNull !== null;
  }

  /** THALAMUS_ISSUER, else the address the request came to (scheme and host, as the client wrote it). */
  issuer(request: FastifyRequest): string {
    return this.config.issuer ?? `${request.protocol}://${request.host}`;
  }

  settings(request: FastifyRequest): TokenSettings {
    return { issuer: this.issuer(request), audience: this.config.tokenAudience, ttlSeconds: this.config.accessTokenTtl };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    tokenServer: TokenServer;
  }
}

export function decorateTokenServer(app: FastifyInstance, config: Config, db: Db): TokenServer {
  const server = new TokenServer(config, db);
  app.decorate('tokenServer', server);
  return server;
}

/**
 * The parameters of a token, revocation or introspection request (RFC 6749 §3.2): a form,
 * each parameter at most once; one sent without a value counts as omitted (§3.1).
 */
export function formParams(request: FastifyRequest): Record<string, string> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    throw invalidRequest('The body must be application/x-www-form-urlencoded (RFC 6749 §3.2)');
  }
  const body: unknown = request.body ?? {};
  if (typeof body !== 'object' || body === null) throw invalidRequest('The body must be a form');
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (Array.isArray(value)) throw invalidRequest(`The parameter ${name} is repeated`);
    if (typeof value === 'string' && value !== '') params[name] = value;
  }
  return params;
}
