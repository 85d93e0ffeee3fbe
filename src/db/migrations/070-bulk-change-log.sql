-- Bulk imports write the change log themselves, one set-based statement per batch (src/store/bulk-import.ts),
-- instead of one trigger call per row: at ten million people and fifty million pages the
-- per-row trigger alone would take longer than the whole import may (README, "National scale").
-- So the row triggers of migration 040 stand aside in a transaction that has set
-- thalamus.bulk_import to 'on' (transaction-local, set only by that import, which then writes
-- the same rows: one per created or changed row, with the same actor and node). Every other
-- writer, whoever it is, still gets its change rows from the triggers.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['people', 'pols', 'personal_docs', 'dus', 'institutions'] LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS %1$s_record_change ON %1$I', t);
    EXECUTE format('CREATE TRIGGER %1$s_record_change AFTER INSERT OR UPDATE OR DELETE ON %1$I FOR EACH ROW
      WHEN (current_setting(''thalamus.bulk_import'', true) IS DISTINCT FROM ''on'') EXECUTE FUNCTION record_change()', t);
  END LOOP;
END;
$$;
