// `thalamus client add|remove|list`: registered OAuth clients, the services that get tokens with client_credentials.
import type { Command } from 'commander';
import { CLIENT_ID_PATTERN, hashClientSecret, newClientSecret } from '../auth/client-secrets.ts';
import { loadRolesFile } from '../auth/roles-file.ts';
import { CliError } from '../errors.ts';
import { deleteClient, insertClient, listClients } from '../store/clients.ts';
import { say, withDb, type CliIo } from './io.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

async function addClient(io: CliIo, id: string, roles: string[]): Promise<void> {
  if (!CLIENT_ID_PATTERN.test(id))
    throw new CliError(`"${id}" is not a client id: 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit`);
  if (roles.length === 0) throw new CliError('say which roles the client has: --role ROLE (repeat for several)');
  await withDb(io, async (db, config) => {
    const defined = loadRolesFile(config.rolesPath);
    const unknown = roles.filter((r) => !defined.has(r));
    if (unknown.length > 0)
      throw new CliError(`unknown role "${unknown[0]}" (${config.rolesPath} defines: ${[...defined.keys()].join(', ')})`);
    const secret = newClientSecret();
    if (!(await insertClient(db, { id, secret_hash: hashClientSecret(secret), roles: [...new Set(roles)] }))) {
      throw new CliError(`client ${id} already exists`);
    }
    // stdout has the secret alone, for scripts; it is stored only as a digest and never shown again.
    io.stderr.write(`created client ${id} with roles ${[...new Set(roles)].join(', ')}; its secret (shown once, keep it safe):\n`);
    say(io, secret);
  });
}

async function removeClient(io: CliIo, id: string): Promise<void> {
  await withDb(io, async (db) => {
    if (!(await deleteClient(db, id))) throw new CliError(`no client ${id}`);
    say(io, `removed client ${id}: its tokens stop working at once`);
  });
}

async function showClients(io: CliIo): Promise<void> {
  await withDb(io, async (db) => {
    for (const c of await listClients(db)) say(io, `${c.id}\t${c.roles.join(',')}\t${c.created_at}`);
  });
}

export function registerClientCommands(program: Command, io: CliIo): void {
  const client = program
    .command('client')
    .description('registered OAuth clients (client_credentials): add, remove, list')
    .argument('[command]', 'add, remove or list')
    .allowExcessArguments()
    .action((name?: string) => {
      throw new CliError(
        `${name ? `unknown command 'client ${name}'` : 'client: say which'}: add, remove or list (see thalamus client --help)`,
      );
    });

  client
    .command('add')
    .description('register a client; prints its secret once (stored only as a digest)')
    .argument('<id>', 'client id')
    .option('--role <role>', 'a role from roles.cfg (repeat for several)', collect)
    .action((id: string, opts: { role?: string[] }) => addClient(io, id, opts.role ?? []));
  client
    .command('remove')
    .description('unregister a client; its tokens stop working at once')
    .argument('<id>', 'client id')
    .action((id: string) => removeClient(io, id));
  client
    .command('list')
    .description('the registered clients: id, roles, when added')
    .action(() => showClients(io));
}
