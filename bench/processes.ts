// The processes under test: Thalamus (`bin/thalamus.js serve`) and the bare hello server, with their memory.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/paths.ts';

export interface ServerProcess {
  url: string;
  pid: number;
  /** Worker processes serving (1 for a single process). */
  workers: number;
  /** Peak resident memory of the process since it started (VmHWM), in MB; null off Linux. */
  peakRssMb(): number | null;
  rssMb(): number | null;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function statusField(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

async function waitUntilAnswering(child: ChildProcess, url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited (${child.exitCode}):\n${output()}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${url}: not answering after 60 s:\n${output()}`);
}

async function launch(args: string[], env: Record<string, string>, port: number, readyPath: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(child, url + readyPath, () => output);
  const pid = child.pid!;
  return {
    url,
    pid,
    workers: 1,
    peakRssMb: () => statusField(pid, 'VmHWM'),
    rssMb: () => statusField(pid, 'VmRSS'),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export async function startHello(): Promise<ServerProcess> {
  const port = await freePort();
  return launch(['--import', 'tsx', join(PROJECT_ROOT, 'bench/hello-server.ts')], { PORT: String(port) }, port, '/');
}

/** One key-encryption key for every server of a run: they share the database and its signing keys. */
const KEY_ENCRYPTION_KEY = randomBytes(32).toString('hex');

/** Thalamus as an operator runs it; `databaseEnv` names the database (URL or data directory). */
export async function startThalamus(
  databaseEnv: Record<string, string>,
  workers = 1,
  settings: Record<string, string> = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const env = {
    ...databaseEnv,
    ...settings,
    THALAMUS_PORT: String(port),
    THALAMUS_HOST: '127.0.0.1',
    THALAMUS_LOG_LEVEL: 'warn',
    THALAMUS_DEMO: 'false',
    THALAMUS_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY,
  };
  const args = [join(PROJECT_ROOT, 'bin/thalamus.js'), 'serve', '--workers', String(workers)];
  return { ...(await launch(args, env, port, '/readyz')), workers };
}
