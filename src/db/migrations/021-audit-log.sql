-- The audit trail: who accessed whose person data, when, how, with what outcome (src/audit/).
-- Rows carry ids and metadata only, never a document, a password or a hash. Each maps onto
-- an HL7 FHIR AuditEvent (docs/audit.md). Reads are written in batches, at most a second
-- late; the entry of a write commits in the write's own transaction.
CREATE TABLE IF NOT EXISTS audit_log (
  id bigserial PRIMARY KEY,
  recorded timestamptz NOT NULL DEFAULT now(),
  -- The account id of the caller; for a failed login, the id that was tried; null when none was given.
  actor varchar,
  -- read, list, create, update, delete, or login (a failed login, whatever was asked).
  action varchar NOT NULL,
  -- person, page, document (a personal document), audit.
  resource varchar NOT NULL,
  resource_id varchar,
  -- The person whose data this is; null for a list of everyone.
  subject varchar,
  -- success, refused (403), failed (401/429 login failures, other 4xx), error (5xx).
  outcome varchar NOT NULL,
  status integer NOT NULL,
  address varchar,
  request_id varchar
);
-- "Who read or changed my record": a person's entries, newest first; an actor's; everyone's by time.
CREATE INDEX IF NOT EXISTS audit_log_subject_idx ON audit_log (subject, recorded, id);
CREATE INDEX IF NOT EXISTS audit_log_actor_idx ON audit_log (actor, recorded, id);
CREATE INDEX IF NOT EXISTS audit_log_recorded_idx ON audit_log (recorded, id);
