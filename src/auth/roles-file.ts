// Loading the operator's roles.cfg from disk: a clear ConfigError naming the setting when it cannot be used.
import { readFileSync } from 'node:fs';
import { ConfigError, reasonOf } from '../errors.ts';
import { parseRoles, type Roles } from './acl.ts';

/** Reads and parses the roles.cfg at `path`; `setting` names where the path came from in the error. */
export function loadRolesFile(path: string, setting = 'THALAMUS_ROLES'): Roles {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${setting}: cannot read ${path}: ${reasonOf(err)}`);
  }
  try {
    return parseRoles(JSON.parse(text));
  } catch (err) {
    throw new ConfigError(`${setting}: ${path} is not a valid roles.cfg: ${reasonOf(err)}`);
  }
}
