// Runs `thalamus serve` as a real child process on an ephemeral port, for the tests that need one.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServeRun {
  url: string;
  messages: string[];
  stop(): Promise<number | null>;
}

/** Starts `node <bin> serve` with only `env` (and PATH), and resolves once it logs its URL. */
export function serveProcess(bin: string, env: Record<string, string>): Promise<ServeRun> {
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: { PATH: process.env.PATH ?? '', THALAMUS_PORT: '0', THALAMUS_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const messages: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000);
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = String((JSON.parse(line) as { msg?: string }).msg ?? '');
      messages.push(msg);
      const url = /^Thalamus is serving on (\S+)/.exec(msg)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({ url, messages, stop: () => (child.kill('SIGTERM'), exited) });
    });
  });
}
