-- Page and document ids per owner (README.md, "Ids of pages and documents"). A page id is the
-- client's; the reference keys pols and personal_docs by it alone, so a second person's page
-- with an id another book already holds is stored under the row id '.<id>.<owner>' (an id no
-- new record can take: ids start with a letter or a digit, src/resources/ids.ts), with its
-- data.id still <id>. Every route addresses a row by (owner, route_id(id, owner)).
-- Existing rows are not rewritten: their row id is their route id.
CREATE OR REPLACE FUNCTION route_id(row_id varchar, owner varchar) RETURNS varchar
IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
  SELECT CASE
    WHEN owner IS NOT NULL AND length(row_id) > length(owner) + 2 AND left(row_id, 1) = '.'
      AND right(row_id, length(owner) + 1) = '.' || owner
    THEN substr(row_id, 2, length(row_id) - length(owner) - 2)::varchar
    ELSE row_id
  END
$$;

-- One page (document) per id in a book, whichever row id holds it; listings walk these in
-- route id order, so a page's place in its book does not tell how it is stored.
CREATE UNIQUE INDEX IF NOT EXISTS pols_book_route_id_idx ON pols (book, route_id(id, book));
CREATE UNIQUE INDEX IF NOT EXISTS personal_docs_fedacct_route_id_idx ON personal_docs (fedacct, route_id(id, fedacct));
