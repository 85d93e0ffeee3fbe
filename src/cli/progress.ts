// Progress of a long command on stderr: a line redrawn each second on a terminal, a line a minute in a log.
import type { Writable } from 'node:stream';

export interface Progress {
  /** `done` rows so far; `fraction` of the input read, when its size is known (for the ETA). */
  update(done: number, fraction: number | null): void;
  end(): void;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/**
 * Reports `verb`'s rows, rows/s since the start and, with a known fraction, the share done and
 * the time left at that rate. A terminal gets one line redrawn at most once a second; anything
 * else (a pipe, a log file, a service's journal) a line per minute, so a long run still shows it lives.
 */
export function progress(out: Writable & { isTTY?: boolean }, verb: string, now: () => number = Date.now): Progress {
  const tty = out.isTTY === true;
  const every = tty ? 1000 : 60_000;
  const start = now();
  let last = start;
  let shown = false;
  const line = (done: number, fraction: number | null) => {
    const seconds = (now() - start) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    let text = `${verb}: ${count(done)} rows, ${count(rate)} rows/s, ${duration(seconds)}`;
    if (fraction !== null && fraction > 0) {
      text += `, ${Math.min(100, Math.floor(fraction * 100))}%, about ${duration((seconds * (1 - fraction)) / fraction)} left`;
    }
    return text;
  };
  return {
    update(done, fraction) {
      const t = now();
      if (t - last < every) return;
      last = t;
      shown = true;
      out.write(tty ? `\r${line(done, fraction)}\u001b[K` : `${line(done, fraction)}\n`);
    },
    end() {
      if (tty && shown) out.write('\n');
    },
  };
}
