-- Migration 031's FHIR index trigger on pols, with a second way to the same rows (README.md's
-- "Page of life -> resources", fhir_page_rows) for bulk imports (thalamus.bulk_import, set by
-- src/store/bulk-import.ts): set-based SQL over the statement's transition table, where each
-- page's kind is worked out once, every page's measurements are unnested and merged in one
-- pass, and no function runs a query per page. Calling the PL/pgSQL fhir_page_rows per page was
-- most of the cost of importing pages (fifty million would have spent hours in it), but for the
-- one page of an ordinary write it stays the cheaper plan, so other writers keep it.
-- test/db/fhir-index-set-based.test.ts holds both ways to the same answers.
CREATE OR REPLACE FUNCTION fhir_index_pages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM fhir_page_resources WHERE source = 'page';
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM fhir_page_resources WHERE source = 'page' AND row_id IN (SELECT o.id FROM old_rows o);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND current_setting('thalamus.bulk_import', true) IS DISTINCT FROM 'on' THEN
    INSERT INTO fhir_page_resources (type, id, source, row_id, book, key, value, context, code, date, version, updated)
      SELECT r.type, r.id, 'page', n.id, n.book, r.key, r.value, fhir_page_context(n.data),
             CASE WHEN r.type = 'Condition' THEN NULLIF(trim(n.data->>'health_condition_code'), '') END,
             fhir_timestamp(n.data->>'page_date'), nextval('fhir_resource_version_seq'), now()
      FROM (SELECT * FROM new_rows ORDER BY id) n CROSS JOIN LATERAL fhir_page_rows(n.id, n.data) r
      ON CONFLICT (type, id) DO NOTHING;
  ELSIF TG_OP IN ('INSERT', 'UPDATE') THEN
    WITH pages AS MATERIALIZED (
      -- Private pages, ids FHIR cannot carry and data that is no object make nothing (fhir_page_rows).
      -- The id test is fhir_page_rows' '^[A-Za-z0-9.-]{1,64}$' in a form PostgreSQL's regular
      -- expressions run ten times faster (the bounded repeat compiles to 64 states).
      SELECT n.id, n.book, n.data->'measurements' AS m, fhir_page_context(n.data) AS c,
             CASE
               WHEN fhir_page_type(n.data) = 'social' THEN 'social'
               WHEN fhir_page_type(n.data) = 'lifestyle'
                 OR (COALESCE(fhir_page_type(n.data), 'medical') = 'medical'
                     AND fhir_page_context(n.data) IN ('self_monitoring', 'lifestyle', 'encounter')) THEN 'monitoring'
               WHEN COALESCE(fhir_page_type(n.data), 'medical') = 'medical' THEN 'medical'
               ELSE 'other'
             END AS kind,
             NULLIF(trim(n.data->>'health_condition_code'), '') AS code,
             fhir_timestamp(n.data->>'page_date') AS date
      FROM new_rows n
      WHERE length(n.id) BETWEEN 1 AND 64 AND n.id !~ '[^A-Za-z0-9.-]' AND jsonb_typeof(n.data) = 'object' AND NOT fhir_is_private(n.data)
    ), measured AS MATERIALIZED (
      -- fhir_measurements as rows: an object's keys; a list's objects merged, the last naming a
      -- key winning; a Python literal (older HMIS nodes) through fhir_measurements itself.
      SELECT DISTINCT ON (e.id, e.k) e.id, e.k, e.v
      FROM (
        SELECT p.id, o.key AS k, o.value AS v, 0::bigint AS i
        FROM pages p CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(p.m) = 'object' THEN p.m END) o
        WHERE p.kind = 'monitoring'
        UNION ALL
        SELECT p.id, o.key, o.value, a.i
        FROM pages p
        CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(p.m) = 'array' THEN p.m END) WITH ORDINALITY a(el, i)
        CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(a.el) = 'object' THEN a.el END) o
        WHERE p.kind = 'monitoring'
        UNION ALL
        SELECT p.id, o.key, o.value, 0
        FROM pages p CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(p.m) = 'string' THEN fhir_measurements(p.m) END) o
        WHERE p.kind = 'monitoring'
      ) e
      ORDER BY e.id, e.k, e.i DESC
    ), observed AS MATERIALIZED (
      SELECT m.id, m.k, m.v FROM measured m
      WHERE jsonb_typeof(m.v) <> 'null' AND length(m.id) + 1 + length(m.k) <= 64
    ), made (row_id, type, id, key, value, o) AS (
      SELECT p.id, 'Observation', p.id, 'social', NULL::jsonb, 0 FROM pages p WHERE p.kind = 'social'
      UNION ALL
      SELECT p.id, 'Encounter', p.id, NULL, NULL, 1 FROM pages p WHERE p.kind = 'monitoring' AND p.c = 'encounter'
      UNION ALL
      -- An Observation per measurement; a monitoring page without any is shown as a document.
      SELECT o.id, 'Observation', (o.id || '-' || regexp_replace(o.k, '[^A-Za-z0-9.-]', '-', 'g'))::varchar, o.k, o.v, 2 FROM observed o
      UNION ALL
      SELECT p.id, 'DocumentReference', p.id, NULL, NULL, 3 FROM pages p
      -- NOT IN over a hashed set: a transition table has no statistics, and NOT EXISTS was planned as a nested loop.
      WHERE p.kind = 'monitoring' AND p.c IS DISTINCT FROM 'encounter' AND p.id NOT IN (SELECT o.id FROM observed o)
      UNION ALL
      SELECT p.id,
             CASE
               WHEN p.c = 'health_condition' THEN 'Condition'
               WHEN p.c = 'hospitalization' THEN 'Encounter'
               WHEN p.c IN ('procedure', 'surgery') THEN 'Procedure'
               WHEN p.c = 'immunization' THEN 'Immunization'
               WHEN p.c = 'prescription' THEN 'MedicationStatement'
               WHEN p.c IN ('lab', 'dx_imaging') THEN 'DiagnosticReport'
               WHEN p.c = 'genetics' THEN 'Observation'
               WHEN p.c = 'family' THEN 'FamilyMemberHistory'
               ELSE 'DocumentReference'
             END,
             p.id, CASE WHEN p.c = 'genetics' THEN 'genetics' END, NULL, 4
      FROM pages p WHERE p.kind = 'medical'
      UNION ALL
      SELECT p.id, 'DocumentReference', p.id, NULL, NULL, 5 FROM pages p WHERE p.kind = 'other'
    )
    INSERT INTO fhir_page_resources (type, id, source, row_id, book, key, value, context, code, date, version, updated)
      SELECT r.type, r.id, 'page', p.id, p.book, r.key, r.value, p.c, CASE WHEN r.type = 'Condition' THEN p.code END,
             p.date, nextval('fhir_resource_version_seq'), now()
      FROM made r JOIN pages p ON p.id = r.row_id
      ORDER BY r.row_id, r.o, r.key
      ON CONFLICT (type, id) DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;
