// The reference Thalamus schema, word for word (docs/wire-contract.md, "Storage"), as deployed federations have it.
export const REFERENCE_SCHEMA = `
  CREATE TABLE people (id varchar PRIMARY KEY, data jsonb);
  CREATE TABLE pols (id varchar PRIMARY KEY, book varchar REFERENCES people(id), data jsonb);
  CREATE TABLE personal_docs (id varchar PRIMARY KEY, fedacct varchar REFERENCES people(id),
                              pol varchar REFERENCES pols(id), document bytea, data jsonb);
  CREATE TABLE dus (id varchar PRIMARY KEY, data jsonb);
  CREATE TABLE institutions (id varchar PRIMARY KEY, data jsonb);`;

/** Ana's hash as the reference's Python demo data stores it (bcrypt 3.x, cost 12, password "gnusolidario"). */
export const PYTHON_HASH = '$2b$12$cjrKVGYEKUwCmVDCtEnwcegcrmECTmeBz526AAD/ZqMGPWFpHJ4FW';
