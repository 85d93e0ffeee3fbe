// What a statement's failure says about a concurrent request: the record it refers to was deleted meanwhile.

/** SQLSTATE 23503: a row refers to one that a concurrent transaction deleted (or is being deleted). */
export function isForeignKeyViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23503';
}
