-- A version number and a last-change time for each person, institution and personal document,
-- for the FHIR facade's meta.versionId / ETag and meta.lastUpdated / Last-Modified. Kept by
-- statement triggers in the same transaction as the change, whoever writes. Rows that existed
-- before this migration get a version but no time: when they last changed is not known.
CREATE SEQUENCE IF NOT EXISTS record_version_seq;
CREATE TABLE IF NOT EXISTS record_versions (
  tbl text NOT NULL,
  id varchar NOT NULL,
  version bigint NOT NULL,
  updated timestamptz,
  PRIMARY KEY (tbl, id)
);

CREATE OR REPLACE FUNCTION bump_record_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM record_versions WHERE tbl = TG_TABLE_NAME;
    RETURN NULL;
  END IF;
  -- Each statement names only the transition tables its operation has.
  IF TG_OP = 'DELETE' THEN
    DELETE FROM record_versions WHERE tbl = TG_TABLE_NAME AND id IN (SELECT id FROM old_rows);
  ELSIF TG_OP = 'UPDATE' THEN
    DELETE FROM record_versions WHERE tbl = TG_TABLE_NAME AND id IN (SELECT id FROM old_rows)
      AND id NOT IN (SELECT id FROM new_rows);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO record_versions (tbl, id, version, updated)
      SELECT TG_TABLE_NAME, id, nextval('record_version_seq'), now() FROM (SELECT id FROM new_rows ORDER BY id) n
      ON CONFLICT (tbl, id) DO UPDATE SET version = EXCLUDED.version, updated = EXCLUDED.updated;
  END IF;
  RETURN NULL;
END;
$$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['people', 'institutions', 'personal_docs'] LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS %1$s_record_version_insert ON %1$I', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %1$s_record_version_update ON %1$I', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %1$s_record_version_delete ON %1$I', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %1$s_record_version_truncate ON %1$I', t);
    EXECUTE format('CREATE TRIGGER %1$s_record_version_insert AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION bump_record_versions()', t);
    EXECUTE format('CREATE TRIGGER %1$s_record_version_update AFTER UPDATE ON %1$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION bump_record_versions()', t);
    EXECUTE format('CREATE TRIGGER %1$s_record_version_delete AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION bump_record_versions()', t);
    EXECUTE format('CREATE TRIGGER %1$s_record_version_truncate AFTER TRUNCATE ON %1$I
      FOR EACH STATEMENT EXECUTE FUNCTION bump_record_versions()', t);
    EXECUTE format('INSERT INTO record_versions (tbl, id, version)
      SELECT %1$L, id, nextval(''record_version_seq'') FROM (SELECT id FROM %1$I ORDER BY id) r
      ON CONFLICT (tbl, id) DO NOTHING', t);
  END LOOP;
END;
$$;

-- The birth date of a person document as FHIR reads it: "YYYY-MM-DD", an ISO date-time (its
-- date part) or an RFC 1123 date ("Fri, 04 Oct 1985 13:05:00 GMT"); NULL for anything else.
-- src/fhir/dates.ts reads dob the same way for Patient.birthDate.
CREATE OR REPLACE FUNCTION fhir_date(t text) RETURNS date IMMUTABLE LANGUAGE plpgsql AS $$
BEGIN
  IF t ~ '^\d{4}-\d{2}-\d{2}($|T)' THEN
    RETURN to_date(substr(t, 1, 10), 'YYYY-MM-DD');
  ELSIF t ~ '^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4}( |$)' THEN
    RETURN to_date(substr(t, 6, 11), 'DD Mon YYYY');
  END IF;
  RETURN NULL;
EXCEPTION WHEN others THEN
  RETURN NULL;
END;
$$;

-- Patient.gender from a person document (src/fhir/patient.ts maps it the same way): gender,
-- else biological_sex; m/male, f/female, other codes of GNU Health to other, the rest unknown.
CREATE OR REPLACE FUNCTION fhir_gender(data jsonb) RETURNS text IMMUTABLE LANGUAGE sql AS $$
  SELECT CASE lower(COALESCE(NULLIF(data->>'gender', ''), data->>'biological_sex'))
    WHEN 'm' THEN 'male' WHEN 'male' THEN 'male'
    WHEN 'f' THEN 'female' WHEN 'female' THEN 'female'
    WHEN 'nb' THEN 'other' WHEN 'other' THEN 'other' WHEN 'f-m' THEN 'other' WHEN 'm-f' THEN 'other'
    WHEN 'nd' THEN 'unknown' WHEN 'u' THEN 'unknown' WHEN 'unknown' THEN 'unknown'
    ELSE CASE WHEN COALESCE(NULLIF(data->>'gender', ''), data->>'biological_sex') IS NULL THEN NULL ELSE 'unknown' END
  END
$$;
