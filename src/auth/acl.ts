// roles.cfg: parse the reference's ACL file and decide whether a caller may use an endpoint.

export interface RoleRule {
  /** Endpoint names allowed per HTTP method (GET, POST, PATCH, DELETE; PUT and HEAD are checked as PATCH and GET). */
  readonly methods: ReadonlyMap<string, ReadonlySet<string>>;
  /** A global role may act on any person; otherwise only on the caller's own record. */
  readonly global: boolean;
}
export type Roles = ReadonlyMap<string, RoleRule>;

const METHODS = ['GET', 'POST', 'PATCH', 'DELETE'];

function parseGlobal(role: string, value: unknown): boolean {
  // The reference's file writes the flag as the string "True"/"False".
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && ['true', 'false'].includes(value.trim().toLowerCase())) {
    return value.trim().toLowerCase() === 'true';
  }
  throw new Error(`role "${role}": "global" must be "True", "False" or a boolean`);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNameList = (value: unknown): value is string[] => Array.isArray(value) && value.every((e) => typeof e === 'string');

/** Parses the JSON of a roles.cfg: [{role, permissions: {GET: [...], ..., global}}]. */
export function parseRoles(json: unknown): Roles {
  if (!Array.isArray(json)) throw new Error('expected a JSON array of roles');
  const roles = new Map<string, RoleRule>();
  json.forEach((entry: unknown, i) => {
    if (!isRecord(entry) || typeof entry.role !== 'string' || !entry.role) {
      throw new Error(`entry ${i + 1}: expected {"role": "...", "permissions": {...}}`);
    }
    const role = entry.role;
    const perms = entry.permissions ?? {};
    if (!isRecord(perms)) throw new Error(`role "${role}": "permissions" must be an object`);
    const methods = new Map<string, Set<string>>();
    for (const [key, list] of Object.entries(perms)) {
      if (key === 'global') continue;
      const method = key.toUpperCase();
      if (!METHODS.includes(method)) throw new Error(`role "${role}": unknown method "${key}"`);
      if (!isNameList(list)) throw new Error(`role "${role}": ${key} must be a list of endpoint names`);
      methods.set(method, new Set(list));
    }
    roles.set(role, { methods, global: parseGlobal(role, perms.global) });
  });
  return roles;
}

export interface AccessRequest {
  method: string;
  endpoint: string;
  /** The person the route acts on, if it names one (already upper-cased as stored). */
  personId?: string;
}

/**
 * The reference's rule: allowed if any of the caller's roles lists the endpoint under the
 * method and, when the route names a person, the caller is that person or the role is global.
 * HEAD is checked as GET and PUT as PATCH (the contract gives PUT the PATCH rules, so an
 * existing roles.cfg needs no new entries); a method missing from a role means none.
 */
export function can(
  roles: Roles,
  caller: { id: string; roles: readonly string[]; kind?: 'person' | 'client' },
  req: AccessRequest,
): boolean {
  const method = req.method === 'HEAD' ? 'GET' : req.method === 'PUT' ? 'PATCH' : req.method;
  for (const name of caller.roles) {
    const rule = roles.get(name);
    if (!rule || !rule.methods.get(method)?.has(req.endpoint)) continue;
    // A client is never 'that person', whatever its id.
    if (req.personId === undefined || rule.global || (caller.kind !== 'client' && req.personId === caller.id)) return true;
  }
  return false;
}

/** True when one of the caller's roles is global (may act on other people). */
export function isGlobal(roles: Roles, callerRoles: readonly string[]): boolean {
  return callerRoles.some((r) => roles.get(r)?.global === true);
}

/** Whether one of the caller's global roles may GET `endpoint` of anyone (a search over every person). */
export function canReadEveryone(roles: Roles, callerRoles: readonly string[], endpoint: string): boolean {
  return callerRoles.some((r) => {
    const rule = roles.get(r);
    return rule?.global === true && rule.methods.get('GET')?.has(endpoint) === true;
  });
}
