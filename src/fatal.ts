// A rejected promise nobody handles, or an exception nothing catches, is logged and ends the process (its supervisor or `--workers` restarts it).
import type { FastifyBaseLogger } from 'fastify';

/**
 * After such an error the process's state is unknown (a transaction half done, a lock held, a
 * stream stuck), so it is not served from any longer: the error is logged as one fatal JSON
 * line and the process exits 1. Acknowledged writes are already committed and flushed, so
 * nothing acknowledged is lost; the supervisor (systemd, a container runtime, or the primary
 * of `serve --workers N`) starts a fresh process.
 */
export function exitOnFatalErrors(log: FastifyBaseLogger, exit: (code: number) => void = (code) => process.exit(code)): void {
  process.on('unhandledRejection', (reason) => {
    log.fatal({ err: reason }, 'unhandled promise rejection: exiting so that a fresh process takes over');
    exit(1);
  });
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception: exiting so that a fresh process takes over');
    exit(1);
  });
}
