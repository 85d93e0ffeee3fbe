// deploy/: the files pass the checkers of the tools they are for (nginx -t, apache2 -t, systemd-analyze verify), when installed here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../src/paths.ts';

const DEPLOY = join(PROJECT_ROOT, 'deploy');
const CERT = join(PROJECT_ROOT, 'test/fixtures/tls/cert.pem');
const KEY = join(PROJECT_ROOT, 'test/fixtures/tls/key.pem');
const dir = mkdtempSync(join(tmpdir(), 'thalamus-deploy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The path of a command, or null when it is not installed. */
function which(...names: string[]): string | null {
  for (const name of names) {
    for (const folder of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/bin', '/usr/local/sbin']) {
      if (existsSync(join(folder, name))) return join(folder, name);
    }
  }
  return null;
}

/** The shipped file with the example certificate paths pointing at the test certificate. */
function withTestCertificate(file: string): string {
  const text = readFileSync(join(DEPLOY, file), 'utf8')
    .replaceAll('/etc/ssl/thalamus/cert.pem', CERT)
    .replaceAll('/etc/ssl/thalamus/key.pem', KEY);
  const out = join(dir, file.replaceAll('/', '-'));
  writeFileSync(out, text);
  return out;
}

const nginx = which('nginx');
test('deploy/nginx/thalamus.conf passes nginx -t', { skip: nginx ? false : 'nginx is not installed (apt-get install nginx-light)' }, () => {
  const site = withTestCertificate('nginx/thalamus.conf');
  const main = join(dir, 'nginx.conf');
  writeFileSync(
    main,
    `error_log ${dir}/nginx-error.log;\npid ${dir}/nginx.pid;\nevents {}\nhttp {\n  access_log off;\n  include ${site};\n}\n`,
  );
  const run = spawnSync(nginx!, ['-t', '-q', '-p', dir, '-c', main], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const text = readFileSync(site, 'utf8');
  assert.match(text, /proxy_buffering off;/);
});

const apache = which('apache2', 'httpd');
const MODULES = '/usr/lib/apache2/modules';
test(
  'deploy/apache/thalamus.conf passes apache2 -t',
  { skip: apache && existsSync(MODULES) ? false : 'Apache is not installed (apt-get install apache2)' },
  () => {
    const site = withTestCertificate('apache/thalamus.conf');
    const modules = ['mpm_event', 'authz_core', 'ssl', 'socache_shmcb', 'proxy', 'proxy_http', 'headers'];
    const main = join(dir, 'apache2.conf');
    writeFileSync(
      main,
      [
        `ServerRoot ${dir}`,
        `PidFile ${dir}/apache.pid`,
        `ErrorLog ${dir}/apache-error.log`,
        'ServerName localhost',
        ...modules.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
        'Listen 443',
        `Include ${site}`,
        '',
      ].join('\n'),
    );
    const run = spawnSync(apache!, ['-t', '-f', main], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(readFileSync(site, 'utf8'), /flushpackets=on/);
  },
);

const analyze = which('systemd-analyze');
test(
  'deploy/systemd/thalamus.service passes systemd-analyze verify',
  { skip: analyze ? false : 'systemd-analyze is not installed' },
  () => {
    // The unit names the installed command; here, this checkout's.
    const unit = join(dir, 'thalamus.service');
    const text = readFileSync(join(DEPLOY, 'systemd/thalamus.service'), 'utf8');
    writeFileSync(unit, text.replace('/usr/local/bin/thalamus', `${process.execPath} ${join(PROJECT_ROOT, 'bin/thalamus.js')}`));
    const run = spawnSync(analyze!, ['verify', unit], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr.replace(/^.*(Failed to|not found).*(session|bus|journal).*\n/gim, ''), '');
    for (const option of [
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'DynamicUser=yes',
      'CapabilityBoundingSet=',
      'ExecReload=/bin/kill -HUP $MAINPID',
    ]) {
      assert.ok(text.includes(`\n${option}\n`), option);
    }
  },
);

test('the Dockerfile builds in two stages and runs as the unprivileged node user; the compose file has PostgreSQL', () => {
  const dockerfile = readFileSync(join(DEPLOY, 'docker/Dockerfile'), 'utf8');
  const stages = dockerfile.match(/^FROM .*/gm) ?? [];
  assert.deepEqual(stages, ['FROM node:20-bookworm-slim AS build', 'FROM node:20-bookworm-slim']);
  const afterLastFrom = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  assert.match(afterLastFrom, /^USER node$/m);
  assert.doesNotMatch(afterLastFrom, /^USER root$/m);
  const compose = parse(readFileSync(join(DEPLOY, 'docker/compose.yaml'), 'utf8')) as {
    services: Record<string, { image?: string; build?: { dockerfile: string }; depends_on?: Record<string, unknown> }>;
  };
  assert.deepEqual(Object.keys(compose.services), ['db', 'thalamus']);
  assert.match(compose.services.db.image ?? '', /^postgres:/);
  assert.equal(compose.services.thalamus.build?.dockerfile, 'deploy/docker/Dockerfile');
  assert.deepEqual(compose.services.thalamus.depends_on, { db: { condition: 'service_healthy' } });
  for (const line of readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8').trim().split('\n'))
    assert.ok(!['bin', 'etc', 'src'].includes(line), line);
});
