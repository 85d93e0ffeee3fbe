// Scope: the roles a token carries, asked for by name (RFC 6749 §3.3), never more than the subject holds.
import { invalidScope } from './errors.ts';

/** The roles `scope` asks for (all of `held` when it is absent); invalid_scope for a role not held. */
export function grantedRoles(scope: string | undefined, held: readonly string[]): string[] {
  if (scope === undefined) return [...held];
  const asked = [...new Set(scope.split(' ').filter(Boolean))];
  const missing = asked.filter((role) => !held.includes(role));
  if (asked.length === 0) return [...held];
  if (missing.length > 0)
    throw invalidScope(`Not granted: ${missing.join(' ')} (the scope names roles the subject holds: ${held.join(' ')})`);
  return asked;
}
