-- A version number per Book of Life, bumped in the same transaction as any change to its
-- pages, by whoever writes (this server, another instance, the reference Thalamus, psql).
-- The servers keep a rendered book in memory and serve it only while its version is still
-- the one read, in the same query as the caller's credentials, for the request at hand.
-- Values come from one sequence, so a number is never reused for another state of a book.
CREATE SEQUENCE IF NOT EXISTS book_version_seq;
CREATE TABLE IF NOT EXISTS book_versions (
  book varchar PRIMARY KEY,
  version bigint NOT NULL
);

CREATE OR REPLACE FUNCTION bump_book_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE book_versions SET version = nextval('book_version_seq');
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO book_versions (book, version)
      SELECT book, nextval('book_version_seq') FROM (SELECT DISTINCT book FROM new_pages WHERE book IS NOT NULL ORDER BY book) b
      ON CONFLICT (book) DO UPDATE SET version = EXCLUDED.version;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO book_versions (book, version)
      SELECT book, nextval('book_version_seq')
      FROM (SELECT book FROM new_pages WHERE book IS NOT NULL UNION SELECT book FROM old_pages WHERE book IS NOT NULL ORDER BY book) b
      ON CONFLICT (book) DO UPDATE SET version = EXCLUDED.version;
  ELSE
    INSERT INTO book_versions (book, version)
      SELECT book, nextval('book_version_seq') FROM (SELECT DISTINCT book FROM old_pages WHERE book IS NOT NULL ORDER BY book) b
      ON CONFLICT (book) DO UPDATE SET version = EXCLUDED.version;
  END IF;
  RETURN NULL;
END;
$$;

-- Statement triggers with transition tables: a bulk import bumps each book once per statement.
DROP TRIGGER IF EXISTS pols_bump_book_insert ON pols;
DROP TRIGGER IF EXISTS pols_bump_book_update ON pols;
DROP TRIGGER IF EXISTS pols_bump_book_delete ON pols;
DROP TRIGGER IF EXISTS pols_bump_book_truncate ON pols;
CREATE TRIGGER pols_bump_book_insert AFTER INSERT ON pols REFERENCING NEW TABLE AS new_pages
  FOR EACH STATEMENT EXECUTE FUNCTION bump_book_versions();
CREATE TRIGGER pols_bump_book_update AFTER UPDATE ON pols REFERENCING OLD TABLE AS old_pages NEW TABLE AS new_pages
  FOR EACH STATEMENT EXECUTE FUNCTION bump_book_versions();
CREATE TRIGGER pols_bump_book_delete AFTER DELETE ON pols REFERENCING OLD TABLE AS old_pages
  FOR EACH STATEMENT EXECUTE FUNCTION bump_book_versions();
CREATE TRIGGER pols_bump_book_truncate AFTER TRUNCATE ON pols
  FOR EACH STATEMENT EXECUTE FUNCTION bump_book_versions();

-- Books written before this migration get a version too (the triggers above already hold
-- pols against writers until this transaction commits, so none is missed).
INSERT INTO book_versions (book, version)
  SELECT book, nextval('book_version_seq') FROM (SELECT DISTINCT book FROM pols WHERE book IS NOT NULL ORDER BY book) b
  ON CONFLICT (book) DO NOTHING;
