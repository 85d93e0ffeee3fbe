// Runs the `thalamus` command in-process against a test database, capturing its output.
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/program.ts';
import type { Db } from '../../src/db/db.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as bytes (exports compare byte for byte). */
  raw: Buffer;
}

export interface CliOptions {
  /** The database the command opens; it stays open afterwards (the command's close is a no-op). */
  db?: Db;
  /** What the command reads on stdin; ended right away unless `tty` keeps it open for typing. */
  stdin?: string | Buffer;
  env?: Record<string, string>;
  /** Pretend stdin and stderr are a terminal: typed input is fed in `typed`, one entry per prompt. */
  tty?: boolean;
  typed?: string[];
}

function collect(stream: PassThrough): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => stream.on('end', () => resolve(Buffer.concat(chunks))));
}

/** A Db whose close() does nothing, so one test database serves several commands. */
export const keepOpen = (db: Db): Db => Object.assign(Object.create(db) as Db, { close: async () => {} });

export async function cli(argv: string[], options: CliOptions = {}): Promise<CliRun> {
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  const out = collect(stdout);
  const err = collect(stderr);
  const io: CliIo = {
    env: { THALAMUS_LOG_LEVEL: 'silent', ...options.env },
    stdin,
    stdout,
    stderr,
    ...(options.db ? { openDb: async () => keepOpen(options.db!) } : {}),
  };
  if (options.tty) {
    // Each answer is typed once the previous prompt has been written.
    const answers = [...(options.typed ?? [])];
    stderr.on('data', (chunk: Buffer) => {
      if (/: $/.test(chunk.toString()) && answers.length > 0) setImmediate(() => stdin.write(`${answers.shift()}\r`));
    });
  } else {
    stdin.end(options.stdin ?? '');
  }
  const code = await runCli(argv, io);
  stdout.end();
  stderr.end();
  stdin.destroy();
  const raw = await out;
  return { code, raw, stdout: raw.toString('utf8'), stderr: (await err).toString('utf8') };
}
