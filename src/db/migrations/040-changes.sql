-- The change log (outbox) of the relay: one row per create, update or delete of a person,
-- page of life, personal document, domiciliary unit or institution, written by triggers in
-- the same transaction as the write, whoever makes it (this server, another instance, the
-- `thalamus` command, the reference Thalamus, psql). A rolled-back write leaves no row.
-- Rows carry ids and metadata only, never a document (so never a password).
--
-- seq comes from one sequence (CACHE 1: numbers are handed out in time order across
-- connections), but transactions commit in any order, so a reader must not hand out a seq
-- while a lower one may still commit. Each writing transaction therefore holds, until it
-- ends, a shared advisory lock whose key is the lowest seq it can take (taken before its
-- first nextval); changes_horizon() is the lowest seq that may still appear, and readers
-- hand out only the seqs below it (src/store/changes.ts).
CREATE SEQUENCE IF NOT EXISTS changes_seq CACHE 1;
CREATE TABLE IF NOT EXISTS changes (
  seq bigint PRIMARY KEY,
  resource text NOT NULL,
  id varchar NOT NULL,
  person varchar,
  operation text NOT NULL,
  actor varchar,
  node text,
  changed_at timestamptz NOT NULL DEFAULT now()
);
-- An end user's feed and subscriptions (person = the caller), in seq order. A feed of one
-- resource walks the primary key instead: an index more would cost every write.
CREATE INDEX IF NOT EXISTS changes_person_seq_idx ON changes (person, seq);

-- Advisory-lock keys of the relay: this tag in the top 16 bits, the seq in the low 48.
CREATE OR REPLACE FUNCTION changes_lock_tag() RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT x'5448'::bigint << 48 $$;

CREATE OR REPLACE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rec record;
  owner varchar;
BEGIN
  IF TG_OP = 'DELETE' THEN rec := OLD; ELSE rec := NEW; END IF;
  -- An update that changed nothing (a re-import of the same file) is no change.
  IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN RETURN NULL; END IF;
  IF TG_TABLE_NAME = 'people' THEN owner := rec.id;
  ELSIF TG_TABLE_NAME = 'pols' THEN owner := rec.book;
  ELSIF TG_TABLE_NAME = 'personal_docs' THEN owner := rec.fedacct;
  END IF;
  -- Once per transaction: announce the lowest seq this transaction can take, before taking any.
  IF current_setting('thalamus.change_lock', true) IS DISTINCT FROM '1' THEN
    PERFORM pg_advisory_xact_lock_shared(changes_lock_tag() | (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM changes_seq)),
            set_config('thalamus.change_lock', '1', true);
  END IF;
  INSERT INTO changes (seq, resource, id, person, operation, actor, node)
  VALUES (nextval('changes_seq'), TG_TABLE_NAME, rec.id, owner,
          CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
          nullif(current_setting('thalamus.actor', true), ''), nullif(current_setting('thalamus.node', true), ''));
  RETURN NULL;
END;
$$;

-- The lowest seq that may still become visible: nothing below it is in flight. The sequence
-- is read before the locks, so a transaction that takes a seq below the sequence's next value
-- had announced it already, and is seen holding its lock or has committed.
CREATE OR REPLACE FUNCTION changes_horizon() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  next_seq bigint;
  announced bigint;
BEGIN
  SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END INTO next_seq FROM changes_seq;
  SELECT min(((l.classid::bigint << 32) | l.objid::bigint) # changes_lock_tag()) INTO announced
    FROM pg_locks l
   WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND (l.classid::bigint >> 16) = (changes_lock_tag() >> 48)
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database());
  RETURN least(next_seq, announced);
END;
$$;

DROP TRIGGER IF EXISTS people_record_change ON people;
DROP TRIGGER IF EXISTS pols_record_change ON pols;
DROP TRIGGER IF EXISTS personal_docs_record_change ON personal_docs;
DROP TRIGGER IF EXISTS dus_record_change ON dus;
DROP TRIGGER IF EXISTS institutions_record_change ON institutions;
CREATE TRIGGER people_record_change AFTER INSERT OR UPDATE OR DELETE ON people FOR EACH ROW EXECUTE FUNCTION record_change();
CREATE TRIGGER pols_record_change AFTER INSERT OR UPDATE OR DELETE ON pols FOR EACH ROW EXECUTE FUNCTION record_change();
CREATE TRIGGER personal_docs_record_change AFTER INSERT OR UPDATE OR DELETE ON personal_docs FOR EACH ROW EXECUTE FUNCTION record_change();
CREATE TRIGGER dus_record_change AFTER INSERT OR UPDATE OR DELETE ON dus FOR EACH ROW EXECUTE FUNCTION record_change();
CREATE TRIGGER institutions_record_change AFTER INSERT OR UPDATE OR DELETE ON institutions FOR EACH ROW EXECUTE FUNCTION record_change();
