-- Registered OAuth clients (`thalamus client add`): services that get tokens of their own with
-- grant_type=client_credentials (RFC 6749 §4.4). The secret is shown once and stored only as a
-- SHA-256 digest: it is 256 random bits, so a slow password hash would add nothing but latency.
CREATE TABLE IF NOT EXISTS oauth_clients (
  id text PRIMARY KEY,
  secret_hash text NOT NULL,
  roles text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
