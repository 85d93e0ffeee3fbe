// Reading a new password for the CLI: the first line of piped stdin, or typed twice without echo.
import { createInterface } from 'node:readline';
import { read } from 'read';
import { passwordProblem } from '../auth/password-policy.ts';
import { CliError } from '../errors.ts';
import type { CliIo } from './io.ts';

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

/** The same rules as the API and the password form: the reason, lower-cased into the CLI's one line. */
function checkRules(password: string): string {
  const problem = passwordProblem(password);
  if (problem) throw new CliError(`${problem.charAt(0).toLowerCase()}${problem.slice(1).replace(/\.$/, '')}`);
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
    return checkRules(line);
  }
  const password = checkRules(await typed(io, `New password for ${forWhom}: `));
  const again = await typed(io, 'Repeat the password: ');
  if (again !== password) throw new CliError('the two passwords do not match');
  return password;
}
