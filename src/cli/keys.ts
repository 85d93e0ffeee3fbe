// `thalamus keys rotate`: a new signing key for the token server; the old one stays published until its tokens expire.
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { keyEncryptionKey } from '../oauth/key-encryption.ts';
import { rotateSigningKey } from '../oauth/signing-keys.ts';
import { say, withDb, type CliIo } from './io.ts';

async function rotate(io: CliIo): Promise<void> {
  await withDb(io, async (db, config) => {
    const kek = keyEncryptionKey(config);
    if (!kek) throw new CliError('set THALAMUS_KEY_ENCRYPTION_KEY (the one the servers use) to make a signing key');
    const { kid, retired, deleted } = await rotateSigningKey(db, kek);
    say(io, `key ${kid} signs from now on`);
    if (retired) say(io, `key ${retired} is retired: still published for ${config.accessTokenTtl} s, until the tokens it signed expire`);
    if (deleted.length > 0) say(io, `deleted keys retired over a day ago: ${deleted.join(', ')}`);
  });
}

export function registerKeyCommands(program: Command, io: CliIo): void {
  const keys = program
    .command('keys')
    .description("the token server's signing keys: rotate")
    .argument('[command]', 'rotate')
    .allowExcessArguments()
    .action((name?: string) => {
      throw new CliError(`${name ? `unknown command 'keys ${name}'` : 'keys: say which'}: rotate (see thalamus keys --help)`);
    });

  keys
    .command('rotate')
    .description('make a new signing key; the old one stays published until every token it signed has expired')
    .action(() => rotate(io));
}
