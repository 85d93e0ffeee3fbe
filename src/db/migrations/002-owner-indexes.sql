-- A person's pages and documents are looked up by owner on every book and document read.
CREATE INDEX IF NOT EXISTS pols_book_idx ON pols (book);
CREATE INDEX IF NOT EXISTS personal_docs_fedacct_idx ON personal_docs (fedacct);
CREATE INDEX IF NOT EXISTS personal_docs_pol_idx ON personal_docs (pol);
