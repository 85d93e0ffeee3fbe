-- The FHIR resources the pages of life and personal documents make (src/fhir/ renders them),
-- one row each, kept by statement triggers in the same transaction as any change to pols or
-- personal_docs, whoever writes. Searches page through this index by (type, id) and so read
-- only the rows they answer; private pages have no row, so FHIR never shows them.

-- When a page or document happened, as a UTC timestamp: ISO dates and date-times (a time
-- without zone is UTC, as GNU Health stores it) and RFC 1123 dates; NULL for anything else.
CREATE OR REPLACE FUNCTION fhir_timestamp(t text) RETURNS timestamp IMMUTABLE LANGUAGE plpgsql AS $$
BEGIN
  IF t ~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$' THEN
    RETURN t::timestamp;
  ELSIF t ~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$' THEN
    RETURN t::timestamptz AT TIME ZONE 'UTC';
  ELSIF t ~ '^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$' THEN
    RETURN substr(t, 6, 20)::timestamp;
  END IF;
  RETURN NULL;
EXCEPTION WHEN others THEN
  RETURN NULL;
END;
$$;

-- A page's measurements as one object {key: value}: MyGNUHealth sends a JSON list of one-key
-- objects, older HMIS nodes a Python dict written as a string ("{'bp': {'systolic': 116}}",
-- True/False/None). NULL when there are none or they cannot be read.
CREATE OR REPLACE FUNCTION fhir_measurements(m jsonb) RETURNS jsonb IMMUTABLE LANGUAGE plpgsql AS $$
DECLARE
  merged jsonb := '{}';
  element jsonb;
  literal text;
  parsed jsonb;
BEGIN
  IF m IS NULL THEN
    RETURN NULL;
  ELSIF jsonb_typeof(m) = 'object' THEN
    RETURN m;
  ELSIF jsonb_typeof(m) = 'array' THEN
    FOR element IN SELECT value FROM jsonb_array_elements(m) LOOP
      IF jsonb_typeof(element) = 'object' THEN merged := merged || element; END IF;
    END LOOP;
    RETURN merged;
  ELSIF jsonb_typeof(m) = 'string' THEN
    literal := m #>> '{}';
    BEGIN
      literal := regexp_replace(literal, '''([^''"\\]*)''', '"\1"', 'g');
      literal := regexp_replace(literal, '\mTrue\M', 'true', 'g');
      literal := regexp_replace(literal, '\mFalse\M', 'false', 'g');
      literal := regexp_replace(literal, '\mNone\M', 'null', 'g');
      parsed := literal::jsonb;
    EXCEPTION WHEN others THEN
      RETURN NULL;
    END;
    IF jsonb_typeof(parsed) IN ('object', 'array') THEN RETURN fhir_measurements(parsed); END IF;
  END IF;
  RETURN NULL;
END;
$$;

-- A page marked private (MyGNUHealth's privacy flag) is never exposed.
CREATE OR REPLACE FUNCTION fhir_is_private(data jsonb) RETURNS boolean IMMUTABLE LANGUAGE sql AS $$
  SELECT jsonb_typeof(data) = 'object' AND lower(COALESCE(data->>'privacy', '')) IN ('true', '1', 'yes')
$$;

-- The page's kind and context as the two kinds of node write them: page_type or domain;
-- medical_context, social_context or context (an empty value counts as missing).
CREATE OR REPLACE FUNCTION fhir_page_type(data jsonb) RETURNS text IMMUTABLE LANGUAGE sql AS $$
  SELECT lower(COALESCE(NULLIF(trim(data->>'page_type'), ''), NULLIF(trim(data->>'domain'), '')))
$$;
CREATE OR REPLACE FUNCTION fhir_page_context(data jsonb) RETURNS text IMMUTABLE LANGUAGE sql AS $$
  SELECT lower(COALESCE(NULLIF(trim(data->>'medical_context'), ''), NULLIF(trim(data->>'social_context'), ''),
                        NULLIF(trim(data->>'context'), '')))
$$;

-- The resources one page makes: (type, id, key, value). key is the measurement's key for an
-- Observation per measurement (id <page>-<key>), 'genetics' or 'social' for the Observation of
-- a genetics or social page, NULL otherwise. The rules are README.md's "Page of life -> resources".
CREATE OR REPLACE FUNCTION fhir_page_rows(pid varchar, data jsonb)
RETURNS TABLE (type text, id varchar, key text, value jsonb) IMMUTABLE LANGUAGE plpgsql AS $$
DECLARE
  t text := fhir_page_type(data);
  c text := fhir_page_context(data);
  made integer := 0;
BEGIN
  IF pid !~ '^[A-Za-z0-9.-]{1,64}$' OR jsonb_typeof(data) IS DISTINCT FROM 'object' OR fhir_is_private(data) THEN
    RETURN;
  END IF;
  IF t = 'social' THEN
    RETURN QUERY SELECT 'Observation', pid, 'social', NULL::jsonb;
    RETURN;
  END IF;
  IF t = 'lifestyle' OR (COALESCE(t, 'medical') = 'medical' AND c IN ('self_monitoring', 'lifestyle', 'encounter')) THEN
    IF c = 'encounter' THEN
      RETURN QUERY SELECT 'Encounter', pid, NULL::text, NULL::jsonb;
      made := 1;
    END IF;
    RETURN QUERY
      SELECT 'Observation', (pid || '-' || regexp_replace(m.k, '[^A-Za-z0-9.-]', '-', 'g'))::varchar, m.k, m.v
      FROM jsonb_each(COALESCE(fhir_measurements(data->'measurements'), '{}')) AS m(k, v)
      WHERE jsonb_typeof(m.v) <> 'null' AND length(pid) + 1 + length(m.k) <= 64
      ORDER BY m.k;
    GET DIAGNOSTICS made = ROW_COUNT;
    IF made > 0 OR c = 'encounter' THEN RETURN; END IF;
    -- A monitoring page without readable measurements is still shown, as a document.
    RETURN QUERY SELECT 'DocumentReference', pid, NULL::text, NULL::jsonb;
    RETURN;
  END IF;
  IF COALESCE(t, 'medical') = 'medical' THEN
    RETURN QUERY SELECT
      CASE
        WHEN c = 'health_condition' THEN 'Condition'
        WHEN c = 'hospitalization' THEN 'Encounter'
        WHEN c IN ('procedure', 'surgery') THEN 'Procedure'
        WHEN c = 'immunization' THEN 'Immunization'
        WHEN c = 'prescription' THEN 'MedicationStatement'
        WHEN c IN ('lab', 'dx_imaging') THEN 'DiagnosticReport'
        WHEN c = 'genetics' THEN 'Observation'
        WHEN c = 'family' THEN 'FamilyMemberHistory'
        ELSE 'DocumentReference'
      END,
      pid, CASE WHEN c = 'genetics' THEN 'genetics' END, NULL::jsonb;
    RETURN;
  END IF;
  RETURN QUERY SELECT 'DocumentReference', pid, NULL::text, NULL::jsonb;
END;
$$;

CREATE SEQUENCE IF NOT EXISTS fhir_resource_version_seq;
CREATE TABLE IF NOT EXISTS fhir_page_resources (
  type text NOT NULL,
  id varchar NOT NULL,
  -- Where it comes from: a page of life ('page') or a personal document ('doc'), and that row's id.
  source text NOT NULL,
  row_id varchar NOT NULL,
  -- The person it is about (pols.book, personal_docs.fedacct).
  book varchar,
  key text,
  value jsonb,
  context text,
  -- Condition.code's ICD-10 code, for the code search.
  code text,
  date timestamp,
  version bigint NOT NULL,
  updated timestamptz,
  PRIMARY KEY (type, id)
);
CREATE INDEX IF NOT EXISTS fhir_page_resources_book_idx ON fhir_page_resources (book, type, id);
CREATE INDEX IF NOT EXISTS fhir_page_resources_row_idx ON fhir_page_resources (source, row_id);

CREATE OR REPLACE FUNCTION fhir_index_pages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM fhir_page_resources WHERE source = 'page';
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM fhir_page_resources WHERE source = 'page' AND row_id IN (SELECT o.id FROM old_rows o);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO fhir_page_resources (type, id, source, row_id, book, key, value, context, code, date, version, updated)
      SELECT r.type, r.id, 'page', n.id, n.book, r.key, r.value, fhir_page_context(n.data),
             CASE WHEN r.type = 'Condition' THEN NULLIF(trim(n.data->>'health_condition_code'), '') END,
             fhir_timestamp(n.data->>'page_date'), nextval('fhir_resource_version_seq'), now()
      FROM (SELECT * FROM new_rows ORDER BY id) n CROSS JOIN LATERAL fhir_page_rows(n.id, n.data) r
      ON CONFLICT (type, id) DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION fhir_index_documents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM fhir_page_resources WHERE source = 'doc';
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM fhir_page_resources WHERE source = 'doc' AND row_id IN (SELECT o.id FROM old_rows o);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO fhir_page_resources (type, id, source, row_id, book, context, date, version, updated)
      SELECT 'DocumentReference', n.id, 'doc', n.id, n.fedacct,
             CASE WHEN jsonb_typeof(n.data) = 'object' THEN NULLIF(trim(n.data->>'context'), '') END,
             CASE WHEN jsonb_typeof(n.data) = 'object'
               THEN fhir_timestamp(COALESCE(n.data->>'date', n.data->'creation_info'->>'timestamp')) END,
             nextval('fhir_resource_version_seq'), now()
      FROM (SELECT * FROM new_rows ORDER BY id) n
      WHERE n.id ~ '^[A-Za-z0-9.-]{1,64}$'
      ON CONFLICT (type, id) DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;

DO $$
DECLARE
  t text;
  f text;
BEGIN
  FOREACH t IN ARRAY ARRAY['pols', 'personal_docs'] LOOP
    f := CASE t WHEN 'pols' THEN 'fhir_index_pages' ELSE 'fhir_index_documents' END;
    EXECUTE format('DROP TRIGGER IF EXISTS %1$s_fhir_insert ON %1$I', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %1$s_fhir_update ON %1$I', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %1$s_fhir_delete ON %1$I', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %1$s_fhir_truncate ON %1$I', t);
    EXECUTE format('CREATE TRIGGER %1$s_fhir_insert AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION %2$s()', t, f);
    EXECUTE format('CREATE TRIGGER %1$s_fhir_update AFTER UPDATE ON %1$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION %2$s()', t, f);
    EXECUTE format('CREATE TRIGGER %1$s_fhir_delete AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION %2$s()', t, f);
    EXECUTE format('CREATE TRIGGER %1$s_fhir_truncate AFTER TRUNCATE ON %1$I FOR EACH STATEMENT EXECUTE FUNCTION %2$s()', t, f);
  END LOOP;
END;
$$;

-- What existed before this migration: indexed now, with a version but no known change time.
INSERT INTO fhir_page_resources (type, id, source, row_id, book, key, value, context, code, date, version)
  SELECT r.type, r.id, 'page', p.id, p.book, r.key, r.value, fhir_page_context(p.data),
         CASE WHEN r.type = 'Condition' THEN NULLIF(trim(p.data->>'health_condition_code'), '') END,
         fhir_timestamp(p.data->>'page_date'), nextval('fhir_resource_version_seq')
  FROM (SELECT * FROM pols ORDER BY id) p CROSS JOIN LATERAL fhir_page_rows(p.id, p.data) r
  ON CONFLICT (type, id) DO NOTHING;
INSERT INTO fhir_page_resources (type, id, source, row_id, book, context, date, version)
  SELECT 'DocumentReference', d.id, 'doc', d.id, d.fedacct,
         CASE WHEN jsonb_typeof(d.data) = 'object' THEN NULLIF(trim(d.data->>'context'), '') END,
         CASE WHEN jsonb_typeof(d.data) = 'object'
           THEN fhir_timestamp(COALESCE(d.data->>'date', d.data->'creation_info'->>'timestamp')) END,
         nextval('fhir_resource_version_seq')
  FROM (SELECT id, fedacct, data FROM personal_docs ORDER BY id) d
  WHERE d.id ~ '^[A-Za-z0-9.-]{1,64}$'
  ON CONFLICT (type, id) DO NOTHING;
