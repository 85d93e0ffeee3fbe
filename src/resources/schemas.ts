// JSON schemas shared by several route modules; the type provider derives each handler's types from them.

const id = { type: 'string', minLength: 1 } as const;

/** Routes under /<collection>/:person_id. */
export const personParams = {
  type: 'object',
  properties: { person_id: id },
  required: ['person_id'],
} as const;

/** Routes under /pols/:person_id/:page_id. */
export const pageParams = {
  type: 'object',
  properties: { person_id: id, page_id: id },
  required: ['person_id', 'page_id'],
} as const;

/** One record of a collection named by its own id (domiciliary units, institutions). */
export const itemParams = {
  type: 'object',
  properties: { id },
  required: ['id'],
} as const;

/** Writes answer 200 with body null, as the reference did: clients only test the status. */
export const writeResponse = { 200: { type: 'null' } } as const;

/** Query string of every collection route: optional keyset pagination (see collections.ts). */
export const pageQuerySchema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    after: id,
  },
  additionalProperties: true,
} as const;
