-- The token server's signing keys, shared by every instance. The public key is published
-- (GET /.well-known/jwks.json) as is; the private key is stored only sealed: a JWE
-- (dir, A256GCM) under the key-encryption key from the environment, never in clear.
-- The newest key that is not retired signs; a key retired by `thalamus keys rotate` stays
-- published until every token it signed has expired (retired_at + the access token lifetime).
CREATE TABLE IF NOT EXISTS oauth_signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  public_jwk jsonb NOT NULL,
  sealed_private_jwk text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  retired_at timestamptz
);
-- At most one key signs at a time.
CREATE UNIQUE INDEX IF NOT EXISTS oauth_signing_keys_one_current ON oauth_signing_keys ((true)) WHERE retired_at IS NULL;
