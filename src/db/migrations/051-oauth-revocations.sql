-- Revoked access tokens, by token id (jti:<jti>) or by refresh token family (fam:<family>),
-- kept until the last token they name has expired. The servers keep the list in memory and
-- reload it only when the epoch below has moved: the epoch is read in the same query as the
-- caller's person row, so a revocation is seen by the next request on every instance without
-- a lookup of its own.
CREATE TABLE IF NOT EXISTS oauth_revocations (
  id text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS oauth_revocations_expiry ON oauth_revocations (expires_at);

CREATE TABLE IF NOT EXISTS oauth_revocation_epoch (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  version bigint NOT NULL
);
INSERT INTO oauth_revocation_epoch (one, version) VALUES (true, 0) ON CONFLICT (one) DO NOTHING;

-- Bumped in the same transaction as the revocation, so whoever sees the new epoch also sees the row.
CREATE OR REPLACE FUNCTION bump_oauth_revocation_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE oauth_revocation_epoch SET version = version + 1;
  RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS oauth_revocations_bump ON oauth_revocations;
CREATE TRIGGER oauth_revocations_bump AFTER INSERT OR UPDATE ON oauth_revocations
  FOR EACH STATEMENT EXECUTE FUNCTION bump_oauth_revocation_epoch();
