// CPU time per request of the server (its process tree) and of PostgreSQL (its processes on this machine), read from /proc.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process times in USER_HZ ticks, 100 per second on every architecture it runs on. */
const MICROSECONDS_PER_TICK = 10_000;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  ticks: number;
}

function readStat(pid: string): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may itself hold spaces or parentheses: split after the last ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    return { pid: Number(pid), ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

function snapshot(rootPid: number): { server: number; postgres: number } | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  const stats = pids.map(readStat).filter((s): s is ProcStat => s !== null);
  const tree = new Set([rootPid]);
  // Workers are children of the primary; a few passes reach every descendant.
  for (let grew = true; grew;) {
    grew = false;
    for (const s of stats) {
      if (tree.has(s.ppid) && !tree.has(s.pid)) {
        tree.add(s.pid);
        grew = true;
      }
    }
  }
  let server = 0;
  let postgres = 0;
  for (const s of stats) {
    if (tree.has(s.pid)) server += s.ticks;
    else if (s.comm === 'postgres') postgres += s.ticks;
  }
  return { server, postgres };
}

export interface CpuUse {
  serverUsPerRequest: number;
  /** Null when PostgreSQL is not a process of this machine (PGlite runs inside the server). */
  postgresUsPerRequest: number | null;
}

/** Counts CPU from start() to stop(); stop divides it by the requests answered in between. */
export class CpuProbe {
  private before: { server: number; postgres: number } | null = null;

  constructor(
    private readonly serverPid: number,
    private readonly localPostgres: boolean,
  ) {}

  start(): void {
    this.before = snapshot(this.serverPid);
  }

  stop(requests: number): CpuUse | null {
    const after = snapshot(this.serverPid);
    if (!this.before || !after || requests <= 0) return null;
    const per = (ticks: number) => Math.round((ticks * MICROSECONDS_PER_TICK) / requests);
    return {
      serverUsPerRequest: per(after.server - this.before.server),
      postgresUsPerRequest: this.localPostgres ? per(after.postgres - this.before.postgres) : null,
    };
  }
}
