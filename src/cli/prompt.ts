// Reading a new password for the CLI: the first line of piped stdin, or typed twice without echo.
import { createInterface } from 'node:readline';
import { read } from 'read';
import { MAX_PASSWORD_LENGTH } from '../auth/passwords.ts';
import { CliError } from '../errors.ts';
import type { CliIo } from './io.ts';

// The same bounds as the password form (docs/wire-contract.md): 64 is where bcrypt stops reading.
export const MIN_PASSWORD_LENGTH = 8;

async function firstLine(io: CliIo): Promise<string | null> {
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  try {
    for await (const line of lines) return line;
    return null;
  } finally {
    lines.close();
  }
}

async function typed(io: CliIo, prompt: string): Promise<string> {
  try {
    // The prompt goes to stderr so stdout stays clean for scripts.
    return await read({ prompt, silent: true, replace: '', input: io.stdin, output: io.stderr, terminal: true });
  } catch {
    // read() rejects on Ctrl-C / Ctrl-D.
    throw new CliError('cancelled: no password set');
  }
}

function checkLength(password: string): string {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) throw new CliError(`the password is too short (at least ${MIN_PASSWORD_LENGTH} characters)`);
  if (length > MAX_PASSWORD_LENGTH) throw new CliError(`the password is too long (at most ${MAX_PASSWORD_LENGTH} characters)`);
  return password;
}

/**
 * A new password, never from argv (it would show in `ps` and shell history): piped stdin gives
 * it on its first line; a terminal asks twice without echo.
 */
export async function readNewPassword(io: CliIo, forWhom: string): Promise<string> {
  if (!io.stdin.isTTY) {
    const line = await firstLine(io);
    if (line === null || line === '') throw new CliError('no password on standard input (give it on the first line)');
    return checkLength(line);
  }
  const password = checkLength(await typed(io, `New password for ${forWhom}: `));
  const again = await typed(io, 'Repeat the password: ');
  if (again !== password) throw new CliError('the two passwords do not match');
  return password;
}
