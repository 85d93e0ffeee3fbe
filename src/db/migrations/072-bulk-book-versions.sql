-- A bulk import (thalamus.bulk_import, src/store/bulk-import.ts) bumps each book it added pages
-- to once, when its last batch is in, rather than once per batch: a national export lists pages
-- by id, so every batch of it touches most books again, and the versions would be rewritten
-- a dozen times each. Nothing outside the import's transaction sees its pages before the
-- versions move (both commit together), so no cached book can be served stale. Updates and
-- deletes keep migration 003's trigger in every transaction: a page moving between books
-- bumps both, as before.
DROP TRIGGER IF EXISTS pols_bump_book_insert ON pols;
CREATE TRIGGER pols_bump_book_insert AFTER INSERT ON pols REFERENCING NEW TABLE AS new_pages
  FOR EACH STATEMENT WHEN (current_setting('thalamus.bulk_import', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION bump_book_versions();
