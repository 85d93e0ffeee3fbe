// HTTP Basic credentials (RFC 7617): parse the Authorization header, nothing else.

export interface Credentials {
  id: string;
  password: string;
}

/** The user id and password of a Basic Authorization header, or null when absent or malformed. */
export function parseBasic(header: string | undefined): Credentials | null {
  if (!header) return null;
  const match = /^Basic[ ]+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { id: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
