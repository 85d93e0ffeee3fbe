// One process per embedded data directory: an exclusive lock held from open to close.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { CliError } from '../errors.ts';

/** Another living process holds the directory: the command or server must not open it. */
export class DataDirInUseError extends CliError {
  constructor(
    readonly dataDir: string,
    readonly holder: number | null,
  ) {
    const who = holder === null ? 'another process' : `process ${holder}`;
    super(
      `the embedded database in ${dataDir} is in use by ${who} (a running \`thalamus serve\` or command): ` +
        'stop it first, or make this change through its HTTP API',
    );
    this.name = 'DataDirInUseError';
  }
}

/**
 * The holder is known by its pid (and, on Linux, its start time), not by a heartbeat: PGlite
 * blocks the event loop for many seconds while it creates a database, so a heartbeat would
 * go stale under a living holder. proper-lockfile's own staleness is set beyond any pause.
 */
const STALE_MS = 24 * 60 * 60 * 1000;
/** A lock directory without a pid file older than this was left between mkdir and the pid's write. */
const PIDLESS_AFTER_MS = 60_000;
/** Directories this process holds, so that a second open in the same process is refused too. */
const held = new Set<string>();

const lockDir = (dataDir: string) => join(dataDir, 'thalamus.lock');
const pidFile = (dataDir: string) => join(dataDir, 'thalamus.pid');

/** When the process started, in clock ticks since boot (Linux); null where /proc does not say. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name, which may hold spaces and ends at the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

interface Holder {
  pid: number;
  started: string | null;
}

function readHolder(dataDir: string): Holder | null {
  try {
    const [pid, started] = readFileSync(pidFile(dataDir), 'utf8').trim().split(' ');
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 ? { pid: n, started: started || null } : null;
  } catch {
    return null;
  }
}

function isRunning({ pid, started }: Holder): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A pid reused by another program since the holder died: its start time differs.
  const now = startTime(pid);
  return started === null || now === null || now === started;
}

/**
 * A lock left by a process that no longer runs (killed, crashed, power loss): its pid is gone
 * or now names another program, or it is our own pid from a previous life (a container starts
 * its server as pid 1 again) while this process holds nothing there.
 */
function isLeftByDeadProcess(dataDir: string, holder: Holder | null): boolean {
  if (holder === null) {
    try {
      return Date.now() - statSync(lockDir(dataDir)).mtimeMs > PIDLESS_AFTER_MS;
    } catch {
      return true;
    }
  }
  if (holder.pid === process.pid) return !held.has(dataDir);
  return !isRunning(holder);
}

export type ReleaseLock = () => Promise<void>;

/**
 * Takes the directory for this process, creating it if needed. Refused with DataDirInUseError
 * while another living process (or this one) holds it; a lock whose holder has died is taken
 * over at once, so a restart after a crash is never blocked. If the lock is lost while held
 * (its directory removed by hand), `onLost` is told: two writers must never share the
 * directory, so the server stops.
 */
export async function lockDataDir(dataDir: string, onLost: (err: Error) => void): Promise<ReleaseLock> {
  mkdirSync(dataDir, { recursive: true });
  const options = { stale: STALE_MS, lockfilePath: lockDir(dataDir), realpath: false, onCompromised: onLost };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dataDir, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    const holder = readHolder(dataDir);
    if (!isLeftByDeadProcess(dataDir, holder)) throw new DataDirInUseError(dataDir, holder?.pid ?? null);
    // The dead pid goes first: a process starting meanwhile then finds no pid and waits for staleness.
    rmSync(pidFile(dataDir), { force: true });
    rmSync(lockDir(dataDir), { recursive: true, force: true });
    try {
      release = await lockfile.lock(dataDir, options);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code === 'ELOCKED') throw new DataDirInUseError(dataDir, readHolder(dataDir)?.pid ?? null);
      throw again;
    }
  }
  held.add(dataDir);
  writeFileSync(pidFile(dataDir), `${process.pid} ${startTime(process.pid) ?? ''}\n`);
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    rmSync(pidFile(dataDir), { force: true });
    held.delete(dataDir);
    await release();
  };
}
