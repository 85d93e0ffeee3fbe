// `thalamus serve --workers N`: refused on PGlite; on PostgreSQL it serves, replaces a killed worker, reloads TLS on SIGHUP, stops on SIGTERM.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { freshPostgres, PG_URL } from '../helper.ts';
import { httpsGet } from '../https-call.ts';
import { makeAuthority, type Issued } from '../tls-certs.ts';

const BIN = join(PROJECT_ROOT, 'bin/thalamus.js');

function run(args: string[], env: Record<string, string>): ChildProcess & { output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return Object.assign(child, { output: () => output, exited });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The pids of a process's children (Linux), or null where /proc does not say. */
function childPids(pid: number): number[] | null {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) return null;
  return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

describe('serve --workers', () => {
  it('refuses several workers on the embedded database with one line, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thalamus-workers-'));
    try {
      const child = run(['serve', '--workers', '2'], { THALAMUS_DATA_DIR: dir });
      assert.equal(await child.exited, 1);
      const lines = child.output().trim().split('\n');
      assert.equal(lines.length, 1, child.output());
      assert.match(lines[0], /^thalamus: --workers 2 needs PostgreSQL/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a worker count that is not a number or auto', async () => {
    const child = run(['serve', '--workers', 'many'], {});
    assert.equal(await child.exited, 1);
    assert.match(child.output(), /--workers: "many"/);
  });

  it(
    'serves from two workers on PostgreSQL, replaces a killed one, and stops on SIGTERM',
    { skip: !PG_URL && 'THALAMUS_TEST_DATABASE_URL is not set' },
    async () => {
      const db = await freshPostgres();
      const port = await freePort();
      const child = run(['serve', '--workers', '2'], {
        THALAMUS_DATABASE_URL: db.url,
        THALAMUS_PORT: String(port),
        THALAMUS_LOG_LEVEL: 'warn',
      });
      try {
        const ready = async () => {
          const res = await fetch(`http://127.0.0.1:${port}/readyz`);
          return res.status === 200 ? res.status : undefined;
        };
        assert.equal(await until('/readyz', ready), 200);
        const workers = childPids(child.pid!);
        if (workers) {
          assert.equal(workers.length, 2, `workers: ${workers.join(', ')}`);
          process.kill(workers[0], 'SIGKILL');
          await until('a replacement worker', async () => {
            const now = childPids(child.pid!) ?? [];
            return now.length === 2 && !now.includes(workers[0]) ? now : undefined;
          });
          assert.equal(await until('/readyz after the restart', ready), 200);
        }
        child.kill('SIGTERM');
        assert.equal(await child.exited, 0, child.output());
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await db.close();
      }
    },
  );

  it(
    "GET /metrics on one worker reports every worker's requests, summed by the primary",
    { skip: !PG_URL && 'THALAMUS_TEST_DATABASE_URL is not set' },
    async () => {
      const db = await freshPostgres();
      const port = await freePort();
      const child = run(['serve', '--workers', '2'], {
        THALAMUS_DATABASE_URL: db.url,
        THALAMUS_PORT: String(port),
        THALAMUS_LOG_LEVEL: 'info',
      });
      try {
        const base = `http://127.0.0.1:${port}`;
        // Both workers serving: the primary's sum asks every worker, and one still starting would not answer it.
        const serving = () => (child.output().match(/Thalamus is serving on/g) ?? []).length;
        await until('both workers', async () => (serving() === 2 ? true : undefined), 120_000);
        await until('/healthz', async () => ((await fetch(`${base}/healthz`)).status === 200 ? true : undefined));
        // A new connection each time: the primary hands connections to the workers in turn, so both serve some.
        for (let i = 0; i < 20; i++) assert.equal((await fetch(`${base}/healthz`, { headers: { connection: 'close' } })).status, 200);
        const series = 'thalamus_http_requests_total{method="GET",route="/healthz",status="200"}';
        const text = await (await fetch(`${base}/metrics`, { headers: { connection: 'close' } })).text();
        const line = text.split('\n').find((l) => l.startsWith(`${series} `));
        // 20, plus the first /healthz that answered while waiting (earlier ones failed to connect).
        assert.equal(Number(line?.slice(series.length + 1)), 21, text);
        child.kill('SIGTERM');
        assert.equal(await child.exited, 0, child.output());
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await db.close();
      }
    },
  );

  it(
    'SIGHUP to the primary reloads the TLS files in every worker; connections opened before keep the old certificate',
    { skip: !PG_URL && 'THALAMUS_TEST_DATABASE_URL is not set' },
    async () => {
      const db = await freshPostgres();
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'thalamus-workers-tls-'));
      const [one, two] = [makeAuthority('Workers CA one'), makeAuthority('Workers CA two')];
      const [first, second] = [one.issue({ cn: 'localhost', server: true }), two.issue({ cn: 'localhost', server: true })];
      const cert = join(dir, 'cert.pem');
      const key = join(dir, 'key.pem');
      const install = (issued: Issued) => (writeFileSync(cert, issued.cert), writeFileSync(key, issued.key));
      install(first);
      const child = run(['serve', '--workers', '2'], {
        THALAMUS_DATABASE_URL: db.url,
        THALAMUS_PORT: String(port),
        THALAMUS_TLS_CERT: cert,
        THALAMUS_TLS_KEY: key,
        THALAMUS_LOG_LEVEL: 'info',
      });
      const ca = [one.cert, two.cert];
      const base = `https://127.0.0.1:${port}`;
      const kept = new Agent({ keepAlive: true, maxSockets: 1, ca });
      /** The certificates `n` new connections were served (the primary hands them to the workers in turn). */
      const served = async (n: number) => {
        const seen = [];
        for (let i = 0; i < n; i++) seen.push((await httpsGet(`${base}/healthz`, { ca })).served);
        return seen;
      };
      try {
        const count = (pattern: RegExp) => (child.output().match(pattern) ?? []).length;
        await until('both workers', async () => (count(/Thalamus is serving on https:/g) === 2 ? true : undefined), 120_000);
        assert.deepEqual(new Set(await served(4)), new Set([first.fingerprint256]));
        const before = await httpsGet(`${base}/healthz`, { ca, agent: kept });
        assert.equal(before.served, first.fingerprint256);
        install(second);
        child.kill('SIGHUP');
        await until('both workers reloaded', async () =>
          count(/SIGHUP: TLS certificate and key reloaded from disk/g) === 2 ? true : undefined,
        );
        assert.deepEqual(new Set(await served(6)), new Set([second.fingerprint256]));
        const still = await httpsGet(`${base}/healthz`, { ca, agent: kept });
        assert.deepEqual([still.status, still.reused, still.served], [200, true, first.fingerprint256]);
        kept.destroy();
        child.kill('SIGTERM');
        assert.equal(await child.exited, 0, child.output());
      } finally {
        kept.destroy();
        if (child.exitCode === null) child.kill('SIGKILL');
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
