-- Refresh tokens of the password grant (RFC 6749 §6), stored only as SHA-256 digests. Each use
-- replaces the token with a new one of the same family (rotation); a used token is kept, marked,
-- until it expires, so that presenting it again is recognised as a replay and ends the whole
-- family (RFC 9700 §4.14.2), with the access tokens it produced (oauth_revocations, 'fam:').
CREATE TABLE IF NOT EXISTS oauth_refresh_tokens (
  hash text PRIMARY KEY,
  family text NOT NULL,
  person text NOT NULL,
  roles text[] NOT NULL,
  fp text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX IF NOT EXISTS oauth_refresh_tokens_family ON oauth_refresh_tokens (family);
CREATE INDEX IF NOT EXISTS oauth_refresh_tokens_expiry ON oauth_refresh_tokens (expires_at);
