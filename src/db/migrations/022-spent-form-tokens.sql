-- The password form's CSRF tokens already submitted (src/web/csrf.ts, src/store/form-tokens.ts):
-- each token is accepted once, whichever worker or instance receives it. A row is needed only
-- while its token could still verify; rows an hour past their token's expiry are deleted as new
-- ones are added (the hour covers clocks of servers and database that disagree).
CREATE TABLE IF NOT EXISTS spent_form_tokens (
  nonce varchar PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS spent_form_tokens_expires ON spent_form_tokens (expires_at);
