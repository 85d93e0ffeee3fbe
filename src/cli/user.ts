// `thalamus user add|passwd|roles|show`: manage accounts (people rows) from the command line.
import type { Command } from 'commander';
import { hashPassword } from '../auth/passwords.ts';
import { loadRolesFile } from '../auth/roles-file.ts';
import type { Config } from '../config.ts';
import { CliError } from '../errors.ts';
import { clearAccountFailures } from '../store/login-failures.ts';
import { getPerson, insertPerson, mergePerson, type PersonData } from '../store/people.ts';
import { ID_PATTERN, ID_RULE } from '../resources/ids.ts';
import { announceChanges } from '../store/changes.ts';
import { CLI_WRITER, say, withDb, type CliIo } from './io.ts';
import { readNewPassword } from './prompt.ts';

// Ids are stored upper-cased, as POST /people does (docs/wire-contract.md).
function accountId(raw: string): string {
  const id = raw.trim().toUpperCase();
  if (!id || /\s/.test(id)) throw new CliError(`"${raw}" is not an account id`);
  return id;
}

function checkRoles(config: Config, roles: string[]): string[] {
  const defined = loadRolesFile(config.rolesPath);
  const unknown = roles.filter((r) => !defined.has(r));
  if (unknown.length > 0) {
    throw new CliError(
      `unknown role ${unknown.map((r) => `"${r}"`).join(', ')} (${config.rolesPath} defines: ${[...defined.keys()].join(', ')})`,
    );
  }
  return [...new Set(roles)];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const noSuchUser = (id: string) => new CliError(`no user ${id}`);

interface AddOptions {
  role?: string[];
  name?: string;
  lastname?: string;
}

async function addUser(io: CliIo, rawId: string, opts: AddOptions): Promise<void> {
  const id = accountId(rawId);
  if (!ID_PATTERN.test(id)) throw new CliError(`"${rawId}" is not a valid account id: ${ID_RULE}`);
  await withDb(io, async (db, config) => {
    const roles = checkRoles(config, opts.role ?? ['end_user']);
    // Checked before asking for the password, so nobody types one for nothing.
    if (await getPerson(db, id)) throw new CliError(`user ${id} already exists`);
    const password = await hashPassword(await readNewPassword(io, id));
    const data: PersonData = { id, active: true, roles, password };
    if (opts.name !== undefined) data.name = opts.name;
    if (opts.lastname !== undefined) data.lastname = opts.lastname;
    if (!(await insertPerson(db, CLI_WRITER, id, data))) throw new CliError(`user ${id} already exists`);
    await announceChanges(db);
    say(io, `created user ${id} with roles ${roles.join(', ')}`);
  });
}

async function changePassword(io: CliIo, rawId: string): Promise<void> {
  const id = accountId(rawId);
  await withDb(io, async (db) => {
    if (!(await getPerson(db, id))) throw noSuchUser(id);
    const password = await hashPassword(await readNewPassword(io, id));
    if (!(await mergePerson(db, CLI_WRITER, id, { password }))) throw noSuchUser(id);
    await announceChanges(db);
    say(io, `changed the password of ${id}`);
  });
}

async function setRoles(io: CliIo, rawId: string, wanted: string[]): Promise<void> {
  const id = accountId(rawId);
  await withDb(io, async (db, config) => {
    const roles = checkRoles(config, wanted);
    if (!(await mergePerson(db, CLI_WRITER, id, { roles }))) throw noSuchUser(id);
    await announceChanges(db);
    say(io, `${id} now has roles ${roles.join(', ')}`);
  });
}

/** Lifts a brute-force lockout at once (it would expire by itself within 15 minutes) and forgets the failures. */
async function unlockUser(io: CliIo, rawId: string): Promise<void> {
  const id = accountId(rawId);
  await withDb(io, async (db) => {
    const cleared = await clearAccountFailures(db, id);
    say(io, cleared ? `${id} is unlocked: its failed logins are forgotten` : `${id} has no failed logins on record`);
  });
}

async function showUser(io: CliIo, rawId: string): Promise<void> {
  const id = accountId(rawId);
  await withDb(io, async (db) => {
    const person = await getPerson(db, id);
    if (!person) throw noSuchUser(id);
    const { password, ...shown } = person.data ?? {};
    say(io, JSON.stringify(shown, null, 2));
    // On stderr, so stdout stays the document alone (for jq and friends); the hash never leaves.
    io.stderr.write(password ? `${id} has a password set\n` : `${id} has no password: cannot log in until one is set\n`);
  });
}

export function registerUserCommands(program: Command, io: CliIo): void {
  const user = program
    .command('user')
    .description('manage accounts: add, passwd, roles, unlock, show')
    .argument('[command]', 'add, passwd, roles, unlock or show')
    .allowExcessArguments()
    .action((name?: string) => {
      const what = name ? `unknown command 'user ${name}'` : 'user: say which';
      throw new CliError(`${what}: add, passwd, roles, unlock or show (see thalamus user --help)`);
    });

  user
    .command('add')
    .description('create an account; the password is read from stdin (first line) or prompted, never from argv')
    .argument('<id>', 'federation account id (stored upper-cased)')
    .option('--role <role>', 'a role from roles.cfg (repeat for several; default end_user)', collect)
    .option('--name <name>', 'given name')
    .option('--lastname <lastname>', 'family name')
    .action((id: string, opts: AddOptions) => addUser(io, id, opts));

  user
    .command('passwd')
    .description("set an account's password (read from stdin or prompted)")
    .argument('<id>', 'federation account id')
    .action((id: string) => changePassword(io, id));

  user
    .command('roles')
    .description("replace an account's list of roles")
    .argument('<id>', 'federation account id')
    .argument('<roles...>', 'roles from roles.cfg')
    .action((id: string, roles: string[]) => setRoles(io, id, roles));

  user
    .command('unlock')
    .description('lift a lockout after too many failed logins, and forget the failures')
    .argument('<id>', 'federation account id')
    .action((id: string) => unlockUser(io, id));

  user
    .command('show')
    .description('print the person document as JSON (never the password hash)')
    .argument('<id>', 'federation account id')
    .action((id: string) => showUser(io, id));
}
