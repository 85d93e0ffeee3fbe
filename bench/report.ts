// The benchmark's output: one table on stdout and bench/results.json with the machine it ran on.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/paths.ts';
import type { Row } from './scenarios.ts';

export const RESULTS_PATH = join(PROJECT_ROOT, 'bench/results.json');

export function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function percentOf(value: number | undefined, ceiling: number | undefined): string {
  if (value === undefined || !ceiling) return '';
  const p = (value / ceiling) * 100;
  return `${p.toFixed(1)}%`;
}

export function renderTable(rows: Row[]): string {
  const helloRps = rows.find((r) => r.key === 'hello')?.requestsPerSec;
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', '% of hello', 'notes'];
  const lines = rows.map((r) =>
    r.skipped
      ? [r.scenario, '-', '-', '-', '-', `skipped: ${r.skipped}`]
      : [
          r.scenario,
          String(r.requestsPerSec ?? ''),
          String(r.p50Ms ?? ''),
          String(r.p99Ms ?? ''),
          percentOf(r.requestsPerSec, helloRps),
          r.note ?? '',
        ],
  );
  const widths = header.map((h, i) => (i === header.length - 1 ? 0 : Math.max(h.length, ...lines.map((l) => l[i].length))));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [format(header), format(widths.map((w) => '-'.repeat(w || 5))), ...lines.map(format)].join('\n');
}

export function writeResults(rows: Row[], settings: Record<string, unknown>): void {
  const helloRps = rows.find((r) => r.key === 'hello')?.requestsPerSec;
  const results = {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpuModel: cpuModel(),
    node: process.version,
    ...settings,
    scenarios: rows.map((r) => ({
      ...r,
      percentOfHello: r.requestsPerSec !== undefined && helloRps ? Math.round((r.requestsPerSec / helloRps) * 1000) / 10 : undefined,
    })),
  };
  writeFileSync(RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`);
}
