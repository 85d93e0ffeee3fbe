// The `thalamus` command line: every subcommand and the one place that turns failures into one line.
import { Command, CommanderError } from 'commander';
import { isUnavailable } from '../db/db.ts';
import { migrate } from '../db/migrate.ts';
import { DemoConflictError, loadDemo } from '../demo.ts';
import { CliError, ConfigError } from '../errors.ts';
import { parseWorkers, serve } from '../cluster.ts';
import { VERSION } from '../version.ts';
import { say, withDb, type CliIo } from './io.ts';
import { registerAuditCommands } from './audit.ts';
import { registerClientCommands } from './client.ts';
import { registerKeyCommands } from './keys.ts';
import { registerBackupCommands } from './backup.ts';
import { registerTransferCommands } from './transfer.ts';
import { registerUserCommands } from './user.ts';

function buildProgram(io: CliIo): Command {
  const program = new Command('thalamus')
    .description('Thalamus: the message and authentication server of the GNU Health Federation')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: () => {} });

  program
    .command('serve')
    .description('start the HTTP server (settings from THALAMUS_* variables; see README)')
    .option('--workers <n|auto>', 'server processes, one per core with auto (several need PostgreSQL)', '1')
    .option('--port <port>', 'TCP port (THALAMUS_PORT)')
    .option('--host <address>', 'address to listen on, 0.0.0.0 for every interface (THALAMUS_HOST)')
    .option('--config <file>', "settings file: the reference's thalamus.cfg or JSON (THALAMUS_CONFIG)")
    .action(async (opts: { workers: string; port?: string; host?: string; config?: string }) => {
      // An option is the variable it names, set for this run: the same validation, the same messages.
      const env = { ...io.env };
      if (opts.port !== undefined) env.THALAMUS_PORT = opts.port;
      if (opts.host !== undefined) env.THALAMUS_HOST = opts.host;
      if (opts.config !== undefined) env.THALAMUS_CONFIG = opts.config;
      await serve(env, parseWorkers(opts.workers));
    });

  program
    .command('migrate')
    .description('apply the database migrations that have not run yet')
    .action(() =>
      withDb(
        io,
        async (db) => {
          const applied = await migrate(db);
          say(io, applied.length ? `applied: ${applied.join(', ')}` : 'the database schema is up to date');
        },
        { migrate: false, createEmbedded: true },
      ),
    );

  program
    .command('demo')
    .description("load the demo accounts and Ana's Book of Life")
    .option('--force', 'overwrite demo rows that already exist')
    .action((opts: { force?: boolean }) =>
      withDb(io, async (db) => {
        const n = await loadDemo(db, { overwrite: Boolean(opts.force) });
        say(io, `loaded ${n} demo rows: ITAPYT999HON, ESPGNU777ORG (password gnusolidario), ARGBUE111FAV (password freedom)`);
      }),
    );

  registerUserCommands(program, io);
  registerTransferCommands(program, io);
  registerAuditCommands(program, io);
  registerKeyCommands(program, io);
  registerClientCommands(program, io);
  registerBackupCommands(program, io);
  return program;
}

/** Runs the command line and returns the exit code; expected failures print one line on stderr. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0;
      // Commander already printed the help (e.g. `thalamus` with no command); nothing to add.
      if (err.code === 'commander.help') return err.exitCode;
      // Settings are variables: an unknown option says where they are.
      const hint =
        err.code === 'commander.unknownOption' ? ' (settings are THALAMUS_* variables: see `thalamus serve --help` and the README)' : '';
      io.stderr.write(`thalamus: ${err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')}${hint}\n`);
      return err.exitCode || 2;
    }
    if (err instanceof CliError || err instanceof ConfigError || err instanceof DemoConflictError) {
      io.stderr.write(`thalamus: ${err.message}\n`);
      return 1;
    }
    if (isUnavailable(err)) {
      // A refused connection to several addresses (localhost: ::1 and 127.0.0.1) is an AggregateError with no message.
      const { message, code } = err as Error & { code?: string };
      io.stderr.write(`thalamus: cannot reach the database: ${message || code}\n`);
      return 1;
    }
    io.stderr.write(`thalamus: unexpected error: ${(err as Error).message}\n`);
    return 1;
  }
}
