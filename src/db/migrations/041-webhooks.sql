-- Webhook subscriptions and their deliveries (the relay): delivery state lives here, so any
-- instance may send, retry or take over a delivery, and none is lost when one stops.
CREATE TABLE IF NOT EXISTS subscriptions (
  id varchar PRIMARY KEY,
  -- The account that made it; `person` set: only that person's records' changes (an end user's).
  owner varchar NOT NULL,
  person varchar,
  url text NOT NULL,
  -- NULL: every resource.
  resources text[],
  -- Signs each delivery (HMAC-SHA256): kept as given, since signing needs it; never sent back.
  secret text NOT NULL,
  -- Every change up to this seq has its delivery row.
  position bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS subscriptions_owner_idx ON subscriptions (owner);

CREATE TABLE IF NOT EXISTS deliveries (
  id bigserial PRIMARY KEY,
  subscription varchar NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  -- pending, delivered, or failed (parked after the last attempt; a replay sends it again).
  state text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- Claimed by an instance until then; an instance that dies mid-delivery loses it when it expires.
  lease_until timestamptz,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- The oldest pending delivery of each subscription is the only one that may be sent (order).
CREATE INDEX IF NOT EXISTS deliveries_pending_idx ON deliveries (subscription, id) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_due_idx ON deliveries (next_attempt_at) WHERE state = 'pending';
