// `thalamus audit prune`: deletes audit entries older than THALAMUS_AUDIT_DAYS (or --days).
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { pruneAudit } from '../store/audit.ts';
import { say, withDb, type CliIo } from './io.ts';

function days(raw: string | undefined, configured: number | null): number {
  if (raw === undefined) {
    if (configured === null) throw new CliError('say how many days to keep: --days N, or set THALAMUS_AUDIT_DAYS');
    return configured;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 36_500) throw new CliError(`--days: "${raw}" is not a whole number from 1 to 36500`);
  return n;
}

export function registerAuditCommands(program: Command, io: CliIo): void {
  const audit = program
    .command('audit')
    .description('the audit trail: prune')
    .argument('[command]', 'prune')
    .allowExcessArguments()
    .action((name?: string) => {
      throw new CliError(`${name ? `unknown command 'audit ${name}'` : 'audit: say which'}: prune (see thalamus audit --help)`);
    });

  audit
    .command('prune')
    .description('delete the audit entries older than THALAMUS_AUDIT_DAYS days (or --days N)')
    .option('--days <n>', 'keep the entries of the last N days')
    .action((opts: { days?: string }) =>
      withDb(io, async (db, config) => {
        const keep = days(opts.days, config.auditDays);
        const n = await pruneAudit(db, keep);
        say(io, `deleted ${n} audit entries older than ${keep} days`);
      }),
    );
}
