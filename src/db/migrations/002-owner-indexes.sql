-- A person's pages and documents are read by owner, in id order (keyset batches), on every
-- book and document listing: (owner, id) serves both the filter and the order, so even a
-- prepared statement's generic plan never walks the whole primary key.
CREATE INDEX IF NOT EXISTS pols_book_id_idx ON pols (book, id);
CREATE INDEX IF NOT EXISTS personal_docs_fedacct_id_idx ON personal_docs (fedacct, id);
CREATE INDEX IF NOT EXISTS personal_docs_pol_idx ON personal_docs (pol);
