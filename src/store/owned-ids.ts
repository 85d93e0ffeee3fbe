// Ids of pages and documents per owner (migration 023): the row id a record is stored under, and the id its routes use.

/**
 * The row id of a record whose id another owner's record already holds: '.<id>.<owner>'. No
 * new id starts with a dot (src/resources/ids.ts), so it can never collide with one, and it is
 * still a FHIR id when <id> and <owner> are (the FHIR index keys on row ids, migration 031).
 */
export const ownedRowId = (id: string, owner: string): string => `.${id}.${owner}`;

/** SQL: the id the routes address a row by, given its row id and owner columns (migration 023's route_id). */
export const routeIdSql = (rowId: string, owner: string): string => `route_id(${rowId}, ${owner})`;
