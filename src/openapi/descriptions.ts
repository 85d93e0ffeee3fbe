// What each route does, in a line, for the OpenAPI document; routes not listed still appear, from their schemas.

/** Keyed by `METHOD /url` as Fastify names the route. */
export const SUMMARIES: Readonly<Record<string, string>> = {
  'GET /healthz': 'The process is up (liveness probe)',
  'GET /readyz': 'The database answers (readiness probe); 503 when it does not',
  'GET /login': 'Check credentials: true when they are valid',
  'GET /people': 'Every person, as [[{person}], ...], streamed; keyset pagination with limit and after',
  'GET /people/{person_id}': 'A person document (never the password hash)',
  'POST /people/{person_id}': 'Create a person; a password is stored as a bcrypt hash',
  'PATCH /people/{person_id}': 'Merge top-level keys into a person document',
  'PUT /people/{person_id}': 'Replace a person document',
  'DELETE /people/{person_id}': 'Delete an inactive person with no pages or documents left',
  'GET /pols/{person_id}': "A person's Book of Life: every page of life",
  'GET /events/{person_id}': "A person's Book of Life (the reference's second name for it)",
  'GET /encounters/{person_id}': 'The pages whose context or medical_context is encounter',
  'GET /pols/{person_id}/{page_id}': 'One page of life',
  'POST /pols/{person_id}/{page_id}': 'Create a page of life',
  'PATCH /pols/{person_id}/{page_id}': 'Merge top-level keys into a page',
  'PUT /pols/{person_id}/{page_id}': 'Replace a page',
  'DELETE /pols/{person_id}/{page_id}': 'Delete a page that has no documents',
  'GET /personal_docs/{person_id}': "Metadata of a person's documents",
  'GET /personal-documents/{person_id}': "Metadata of a person's documents (alias)",
  'GET /personal_docs/{person_id}/{pol_id}': "Metadata of a page's documents",
  'POST /personal_docs/{person_id}/{pol_id}': 'Attach a document (base64) to a page',
  'GET /personal_docs/{person_id}/{pol_id}/{doc_id}': "A document's bytes, checked against its SHA-512",
  'DELETE /personal_docs/{person_id}/{pol_id}/{doc_id}': 'Remove a document',
  'GET /domiciliary-units': 'Every domiciliary unit',
  'GET /domiciliary-units/{id}': 'One domiciliary unit',
  'GET /institutions': 'Every institution',
  'GET /institutions/{id}': 'One institution',
  'GET /': 'The HTML welcome page',
  'GET /password/{person_id}': 'The HTML password form',
  'POST /password/{person_id}': 'Change a password from the HTML form',
};

/** The tag of a route: its first path segment, so the browsable page groups routes by resource. */
export function tagOf(url: string): string {
  const first = url.split('/')[1] ?? '';
  if (first === '' || first === 'password' || first === 'static') return 'pages';
  if (first === 'healthz' || first === 'readyz' || first === 'metrics') return 'operations';
  if (first === 'personal-documents') return 'personal_docs';
  if (first === 'events' || first === 'encounters') return 'pols';
  return first;
}
