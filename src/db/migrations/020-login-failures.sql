-- Brute-force protection, shared by every worker and instance (src/auth/login-guard.ts).
-- Failed logins per account id as typed (unknown ids too, so a lockout never tells whether an
-- account exists): consecutive failures, lockouts so far (each doubles the next), and the lock.
CREATE TABLE IF NOT EXISTS auth_account_failures (
  account varchar PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0,
  lockouts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  last_failure timestamptz NOT NULL DEFAULT now()
);
-- Failed logins per client address in a fixed window: past the limit, no more password checks.
CREATE TABLE IF NOT EXISTS auth_address_failures (
  address varchar PRIMARY KEY,
  window_start timestamptz NOT NULL DEFAULT now(),
  failures integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS auth_account_failures_last ON auth_account_failures (last_failure);
CREATE INDEX IF NOT EXISTS auth_address_failures_window ON auth_address_failures (window_start);
