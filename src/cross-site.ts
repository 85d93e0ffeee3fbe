// No cross-site writes: refuses a state-changing request a browser could have sent from another site without a CORS preflight.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route acts on no credentials the browser holds for us, only on what the request
     * itself carries (the OAuth endpoints: a password, a refresh token, a client secret), so a
     * browser application of another origin may post its form (RFC 6749 §3.2) without a preflight.
     */
    crossSite?: 'allowed';
  }
}

/** Methods that change nothing (a browser may send GET and HEAD anywhere; OPTIONS is the preflight). */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Content types a page may send across origins without a preflight (Fetch standard, "CORS-safelisted request-header"). */
const SIMPLE_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/** The media type of the Content-Type header, lower-cased, without parameters; '' when absent. */
function mediaType(request: FastifyRequest): string {
  const header = request.headers['content-type'];
  return typeof header === 'string' ? header.split(';')[0].trim().toLowerCase() : '';
}

/** host[:port], lower-cased, without a default port (80, 443): how an Origin and a Host header are compared. */
const normalHost = (host: string) => host.toLowerCase().replace(/:(80|443)$/, '');

/** The host (and port) of an Origin header; null for "null" (an opaque origin) or one that is not a URL. */
function originHost(origin: string): string | null {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? normalHost(url.host) : null;
  } catch {
    return null;
  }
}

/**
 * True when a browser tells us the request comes from another site: `Sec-Fetch-Site`
 * (cross-site or same-site; a sibling subdomain is still another application), or, from
 * browsers without Fetch Metadata, an `Origin` naming another host than the one addressed.
 * Non-browser clients (the Python clients, curl) send neither and are never cross-site.
 */
function isCrossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  if (site === 'same-origin' || site === 'none') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  return originHost(origin) !== normalHost(request.host);
}

/**
 * Why the request must be refused, or null. A cross-site write passes only if the browser
 * preflighted it, and CORS then allowed it: that is the case for a fetch/XHR in CORS mode
 * whose Content-Type is not one a plain form can send (the Portal sends JSON with its own
 * Authorization header). A form post (`navigate`), an opaque `no-cors` fetch, or a body
 * labelled as a form could carry credentials the browser cached for this server.
 */
export function crossSiteRefusal(request: FastifyRequest): string | null {
  if (READS.has(request.method) || request.routeOptions.config?.crossSite === 'allowed' || !isCrossSite(request)) return null;
  const mode = request.headers['sec-fetch-mode'];
  if (mode === 'navigate' || mode === 'no-cors') return `a cross-site ${mode} request may not change anything`;
  // PUT, PATCH and DELETE are preflighted in CORS mode whatever they carry; a POST only with a non-form type.
  const type = mediaType(request);
  if (request.method === 'POST' && (type === '' || SIMPLE_TYPES.has(type))) {
    return `a cross-site write must be sent as application/json (it was ${type || 'sent without a Content-Type'})`;
  }
  return null;
}

/** Runs first on every request, before credentials are read: a refused request costs no bcrypt work. */
export function registerCrossSiteGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const refusal = crossSiteRefusal(request);
    if (refusal) throw forbidden(`Cross-site request refused: ${refusal}`);
  });
}
