// Startup that tells the truth: each failure is one line naming the setting and what to do, before any database is made.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { PG_URL } from '../helper.ts';
import { cli } from './cli-io.ts';
import { serveProcess } from './serve-process.ts';

const BIN = join(PROJECT_ROOT, 'bin/thalamus.js');
const TLS = join(PROJECT_ROOT, 'test/fixtures/tls');
const dir = mkdtempSync(join(tmpdir(), 'thalamus-startup-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const outcome = (r: { code: number; stdout: string; stderr: string }) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr });
const failed = (line: string) => ({ code: 1, stdout: '', stderr: `thalamus: ${line}\n` });

let n = 0;
/** A data directory path of its own that does not exist yet. */
const newDataDir = () => join(dir, `data-${n++}`);

function listening(server: Server, port = 0): Promise<number> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('thalamus serve refuses early, in one line', () => {
  test('a host that is not this machine names THALAMUS_HOST, before the embedded database is created', async () => {
    const data = newDataDir();
    const run = await cli(['serve'], { env: { THALAMUS_HOST: 'not-a-host', THALAMUS_PORT: '8080', THALAMUS_DATA_DIR: data } });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /^thalamus: THALAMUS_HOST: "not-a-host" is not a name or address of this machine \((ENOTFOUND|EAI_AGAIN)\): use 127\.0\.0\.1 \(this machine only\), 0\.0\.0\.0 \(every interface\) or one of its addresses\n$/,
    );
    assert.equal(existsSync(data), false);
  });

  test('a port in use names THALAMUS_PORT, before the embedded database is created', async () => {
    const taken = createServer();
    const port = await listening(taken);
    const data = newDataDir();
    try {
      const run = await cli(['serve'], { env: { THALAMUS_PORT: String(port), THALAMUS_DATA_DIR: data } });
      assert.deepEqual(
        outcome(run),
        failed(
          `THALAMUS_PORT: ${port} on 127.0.0.1 is already in use by another process: stop it, or choose another port (THALAMUS_PORT, or serve --port)`,
        ),
      );
      assert.equal(existsSync(data), false);
    } finally {
      taken.close();
    }
  });

  test('a data directory that is a file names THALAMUS_DATA_DIR', async () => {
    const data = join(dir, 'a-file');
    writeFileSync(data, 'not a directory');
    assert.deepEqual(
      outcome(await cli(['serve'], { env: { THALAMUS_PORT: '0', THALAMUS_DATA_DIR: data } })),
      failed(`THALAMUS_DATA_DIR: ${data} is a file, not a directory: point THALAMUS_DATA_DIR at a directory (it is created when missing)`),
    );
  });

  test('a data directory that cannot be created names THALAMUS_DATA_DIR and the reason', async () => {
    const data = join(dir, 'a-file', 'data');
    assert.deepEqual(
      outcome(await cli(['serve'], { env: { THALAMUS_PORT: '0', THALAMUS_DATA_DIR: data } })),
      failed(
        `THALAMUS_DATA_DIR: ${data} cannot be created (ENOTDIR): create it yourself for the user Thalamus runs as, or choose another directory`,
      ),
    );
  });

  test('a data directory this user cannot write names THALAMUS_DATA_DIR (run as nobody when the tests run as root)', () => {
    const data = newDataDir();
    mkdirSync(data);
    chmodSync(data, 0o555);
    // mkdtemp made the parent private; the other user must be able to reach the directory to find it unwritable.
    chmodSync(dir, 0o755);
    const asRoot = process.getuid?.() === 0;
    const run = spawnSync(process.execPath, [BIN, 'serve'], {
      env: { PATH: process.env.PATH ?? '', THALAMUS_PORT: '0', THALAMUS_DATA_DIR: data, HOME: dir },
      encoding: 'utf8',
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    const uid = asRoot ? 65534 : process.getuid?.();
    assert.deepEqual(
      { code: run.status, stdout: run.stdout, stderr: run.stderr },
      failed(
        `THALAMUS_DATA_DIR: ${data} is not writable by this user (uid ${uid}): give it to the user Thalamus runs as (chown), or choose another directory`,
      ),
    );
  });

  test('a TLS key that does not belong to the certificate names both files', async () => {
    const otherKey = join(dir, 'other-key.pem');
    writeFileSync(otherKey, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const cert = join(TLS, 'cert.pem');
    const run = await cli(['serve'], {
      env: { THALAMUS_PORT: '0', THALAMUS_DATA_DIR: newDataDir(), THALAMUS_TLS_CERT: cert, THALAMUS_TLS_KEY: otherKey },
    });
    assert.deepEqual(
      outcome(run),
      failed(
        `THALAMUS_TLS_KEY: ${otherKey} does not match the certificate in THALAMUS_TLS_CERT (${cert}): give the key the certificate was issued for`,
      ),
    );
  });

  test('a certificate file that is not a certificate names THALAMUS_TLS_CERT', async () => {
    const key = join(TLS, 'key.pem');
    const run = await cli(['serve'], {
      env: { THALAMUS_PORT: '0', THALAMUS_DATA_DIR: newDataDir(), THALAMUS_TLS_CERT: key, THALAMUS_TLS_KEY: key },
    });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      new RegExp(
        `^thalamus: THALAMUS_TLS_CERT: ${key} is not a PEM certificate \\(.+\\): give the certificate file \\(-----BEGIN CERTIFICATE-----\\)\\n$`,
      ),
    );
  });

  test('a client CA file that holds no certificate names THALAMUS_TLS_CA', async () => {
    const [cert, key] = [join(TLS, 'cert.pem'), join(TLS, 'key.pem')];
    const env = { THALAMUS_PORT: '0', THALAMUS_DATA_DIR: newDataDir(), THALAMUS_TLS_CERT: cert, THALAMUS_TLS_KEY: key };
    const run = await cli(['serve'], { env: { ...env, THALAMUS_TLS_CA: key, THALAMUS_TLS_CLIENT_CERT: 'require' } });
    assert.deepEqual(
      outcome(run),
      failed(
        `THALAMUS_TLS_CA: ${key} holds no PEM certificate: give the PEM file of the CA certificates that issue the client certificates (-----BEGIN CERTIFICATE-----)`,
      ),
    );
  });

  test('an unknown option points to the settings; --port and --host are options', async () => {
    assert.deepEqual(outcome(await cli(['serve', '--prot', '9000'])), {
      code: 1,
      stdout: '',
      stderr:
        "thalamus: unknown option '--prot' (Did you mean --port?) (settings are THALAMUS_* variables: see `thalamus serve --help` and the README)\n",
    });
    const help = await cli(['serve', '--help']);
    assert.match(help.stdout, /--port <port> +TCP port \(THALAMUS_PORT\)/);
    assert.match(help.stdout, /--host <address> +address to listen on/);
    assert.match(help.stdout, /--config <file> +settings file/);
  });
});

describe('thalamus serve --port --host, and the first start without a root account', () => {
  test('serves on the port and host given as options, and says how to create the first root account', async () => {
    const probe = createServer();
    const port = await listening(probe);
    await new Promise((resolve) => probe.close(resolve));
    const run = await serveProcess(BIN, { THALAMUS_DATA_DIR: newDataDir(), THALAMUS_DEMO: 'false' }, [
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
    ]);
    try {
      assert.equal(run.url, `http://127.0.0.1:${port}`);
      const res = await fetch(`${run.url}/login`, {
        headers: { authorization: `Basic ${Buffer.from('ARGBUE111FAV:freedom').toString('base64')}` },
      });
      assert.equal(res.status, 401);
    } finally {
      assert.equal(await run.stop(), 0);
    }
    assert.ok(
      run.messages.includes(
        'no active root account in this database, so every request will be refused: create one with `thalamus user add <ACCOUNT_ID> --role root --name <NAME>` (same THALAMUS_* settings; it asks for the password), then manage the others over the API',
      ),
      run.messages.join('\n'),
    );
  });
});

describe('CLI commands never create an embedded database by accident', () => {
  test('a command on a data directory that does not exist says so and creates nothing; migrate creates it', async () => {
    const data = newDataDir();
    assert.deepEqual(
      outcome(await cli(['user', 'show', 'ESPGNU777ORG'], { env: { THALAMUS_DATA_DIR: data } })),
      failed(
        `THALAMUS_DATA_DIR: ${data} does not exist, so there is no embedded database here: set THALAMUS_DATA_DIR (or THALAMUS_DATABASE_URL) to the server's database, or create one with \`thalamus migrate\``,
      ),
    );
    assert.equal(existsSync(data), false);
    const migrate = await cli(['migrate'], { env: { THALAMUS_DATA_DIR: data } });
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.equal(existsSync(join(data, 'PG_VERSION')), true);
  });
});

/** A pretend PostgreSQL that answers the startup message with `reply` (the real one cannot be made to ask for SCRAM here). */
async function fakePostgres(reply: (socket: Socket) => void): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => reply(socket));
    socket.on('data', (chunk) => {
      // The SCRAM client-first message ('p'): answer with a server-first message, which needs the password.
      if (chunk[0] === 0x70) socket.write(message('R', Buffer.concat([int32(11), Buffer.from('r=abc,s=c2FsdA==,i=4096')])));
    });
    socket.on('error', () => {});
  });
  const port = await listening(server);
  // pg leaves the socket of a failed SASL exchange open: closed here, or it would keep the test process alive.
  return {
    port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
const int32 = (v: number) => Buffer.from([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
const message = (type: string, body: Buffer) => Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
const cstring = (s: string) => Buffer.from(`${s}\0`);

describe('PostgreSQL that refuses the connection: one line naming the setting, password masked', () => {
  test('a server that asks for a password the URL does not give', async () => {
    const pg = await fakePostgres((socket) =>
      socket.write(message('R', Buffer.concat([int32(10), cstring('SCRAM-SHA-256'), cstring('')]))),
    );
    try {
      const url = `postgresql://thalamus@127.0.0.1:${pg.port}/federation`;
      assert.deepEqual(
        outcome(await cli(['migrate'], { env: { THALAMUS_DATABASE_URL: url, PGPASSFILE: join(dir, 'none') } })),
        failed(
          `THALAMUS_DATABASE_URL: "${url}": PostgreSQL at 127.0.0.1:${pg.port} asks thalamus for a password and none is given: put it in the URL (postgresql://thalamus:PASSWORD@...), or in PGPASSWORD or ~/.pgpass`,
        ),
      );
    } finally {
      pg.close();
    }
  });

  test('a wrong password, from the reference config file', async () => {
    const fields = Buffer.concat([
      cstring('SFATAL'),
      cstring('C28P01'),
      cstring('Mpassword authentication failed for user "thalamus"'),
      cstring(''),
    ]);
    const pg = await fakePostgres((socket) => socket.end(message('E', fields)));
    try {
      const cfg = join(dir, 'wrong-password.cfg');
      writeFileSync(cfg, `POSTGRESQL_URI = "host=127.0.0.1 port=${pg.port} dbname=federation user=thalamus password='hunter2'"\n`);
      assert.deepEqual(
        outcome(await cli(['user', 'show', 'X'], { env: { THALAMUS_CONFIG: cfg } })),
        failed(
          `POSTGRESQL_URI in ${cfg}: "postgresql://thalamus:***@127.0.0.1:${pg.port}/federation": PostgreSQL at 127.0.0.1:${pg.port} refused the password of thalamus: check it (ALTER ROLE thalamus PASSWORD '...' sets it)`,
        ),
      );
    } finally {
      pg.close();
    }
  });

  test('a database that does not exist [postgres]', { skip: PG_URL ? false : 'THALAMUS_TEST_DATABASE_URL is not set' }, async () => {
    const url = new URL(PG_URL ?? '');
    url.pathname = '/thalamus_no_such_database';
    const user = decodeURIComponent(url.username);
    const where = `${url.hostname}:${url.port || 5432}`;
    assert.deepEqual(
      outcome(await cli(['migrate'], { env: { THALAMUS_DATABASE_URL: url.toString() } })),
      failed(
        `THALAMUS_DATABASE_URL: "${url.toString()}": PostgreSQL at ${where} has no database "thalamus_no_such_database": create it (createdb -O ${user} thalamus_no_such_database), or fix the name`,
      ),
    );
  });
});
