-- Who made each change when many writers share one statement: the group commit of page
-- writes (src/resources/page-inserts.ts) inserts the pages of several requests, from several
-- callers and nodes, in one INSERT, and names each row's writer in the transaction-local
-- setting thalamus.writers, a JSON object {"<row id>": ["<actor>", "<node>"]}. A row it does
-- not name, and every other writer, keep thalamus.actor and thalamus.node (migration 040).
CREATE OR REPLACE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rec record;
  owner varchar;
  writers text;
  w jsonb;
BEGIN
  IF TG_OP = 'DELETE' THEN rec := OLD; ELSE rec := NEW; END IF;
  -- An update that changed nothing (a re-import of the same file) is no change.
  IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN RETURN NULL; END IF;
  IF TG_TABLE_NAME = 'people' THEN owner := rec.id;
  ELSIF TG_TABLE_NAME = 'pols' THEN owner := rec.book;
  ELSIF TG_TABLE_NAME = 'personal_docs' THEN owner := rec.fedacct;
  END IF;
  writers := nullif(current_setting('thalamus.writers', true), '');
  IF writers IS NOT NULL THEN w := writers::jsonb -> rec.id::text; END IF;
  -- Once per transaction: announce the lowest seq this transaction can take, before taking any.
  IF current_setting('thalamus.change_lock', true) IS DISTINCT FROM '1' THEN
    PERFORM pg_advisory_xact_lock_shared(changes_lock_tag() | (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM changes_seq)),
            set_config('thalamus.change_lock', '1', true);
  END IF;
  INSERT INTO changes (seq, resource, id, person, operation, actor, node)
  VALUES (nextval('changes_seq'), TG_TABLE_NAME, rec.id, owner,
          CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
          nullif(coalesce(w ->> 0, current_setting('thalamus.actor', true)), ''),
          nullif(coalesce(w ->> 1, current_setting('thalamus.node', true)), ''));
  RETURN NULL;
END;
$$;
