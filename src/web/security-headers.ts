// Response headers of every HTML page: a strict CSP without script, no framing, no referrer, no caching.

/**
 * The pages run no script at all, load only their own stylesheet, post only to this server
 * and may not be framed (clickjacking). `frame-ancestors` and X-Frame-Options say the same
 * for old and new browsers alike.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  // Pages carry person names, CSRF tokens and one-time messages: never keep them in a cache.
  'Cache-Control': 'no-store',
});
