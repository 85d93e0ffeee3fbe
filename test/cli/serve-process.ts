// Runs `thalamus serve` as a real child process on an ephemeral port, for the tests that need one.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServeRun {
  url: string;
  pid: number;
  messages: string[];
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: the process gets no chance to clean up. */
  kill(): Promise<void>;
  /** GET /readyz, asked again while the answer is the overload shed (src/overload.ts): a start that blocked the event loop sheds for up to a second. */
  ready(): Promise<Response>;
}

/** GET /readyz until it is not an overload 503 (at most 30 s), as a load balancer's probe would. */
async function readyz(url: string): Promise<Response> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${url}/readyz`);
    const shed = res.status === 503 && /overloaded/.test(await res.clone().text());
    if (!shed || Date.now() > deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Runs `node <bin> serve` expecting it to fail: its exit code and what it printed on stderr. */
export function failedServe(bin: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: { PATH: process.env.PATH ?? '', THALAMUS_PORT: '0', THALAMUS_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

/** Starts `node <bin> serve [args]` with only `env` (and PATH), in `cwd` if given, and resolves once it logs its URL. */
export function serveProcess(
  bin: string,
  env: Record<string, string>,
  args: string[] = [],
  options: { cwd?: string } = {},
): Promise<ServeRun> {
  const child = spawn(process.execPath, [bin, 'serve', ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', THALAMUS_PORT: '0', THALAMUS_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const messages: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    // Generous: a first start creates the database, and the machine may be shared. A child that never started is not left behind.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start within 300 s: ${stderr}`));
    }, 300_000);
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = String((JSON.parse(line) as { msg?: string }).msg ?? '');
      messages.push(msg);
      const url = /^Thalamus is serving on (\S+)/.exec(msg)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({
        url,
        pid: child.pid!,
        messages,
        stop: () => (child.kill('SIGTERM'), exited),
        kill: () => (child.kill('SIGKILL'), exited.then(() => {})),
        ready: () => readyz(url),
      });
    });
  });
}
