// Logins no flood can block: 80 connections of unknown accounts from 127.0.0.2 while a real user signs in from 127.0.0.1.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { before, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ANA, CAMERON, basic, eachBackend, useApp } from '../helper.ts';

const ATTACK_CONNECTIONS = 80;
/** The flood never runs longer than this, whatever happens (the test is bounded). */
const MAX_ATTACK_MS = 20_000;

interface Answer {
  status: number;
  /** performance.timeOrigin + performance.now(), comparable across threads. */
  endedAt: number;
}

const now = () => performance.timeOrigin + performance.now();

function login(port: number, authorization: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/login', headers: { authorization } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, endedAt: now() }));
    });
    req.on('error', reject);
    req.end();
  });
}

eachBackend('login flood', (backend) => {
  const ctx = useApp(backend);
  let port = 0;
  before(async () => {
    await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    port = (ctx.app.server.address() as AddressInfo).port;
  });

  test('a first login from 127.0.0.1 goes ahead of a flood of unknown accounts from 127.0.0.2 (at most 3 of its password checks first)', async (t) => {
    // One first login (a cost-12 bcrypt) with no flood: what this machine takes for it right now.
    const quietStart = now();
    assert.equal((await login(port, basic(CAMERON.id, CAMERON.password))).status, 200);
    const quiet = now() - quietStart;

    const attacker = new Worker(new URL('./flood-client.mjs', import.meta.url), {
      workerData: { port, connections: ATTACK_CONNECTIONS, maxMs: MAX_ATTACK_MS },
    });
    const finished = once(attacker, 'message').then(() => once(attacker, 'message'));
    try {
      // Let the flood fill its share of the bcrypt queue first.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const started = now();
      const answer = await login(port, basic(ANA.id, ANA.password));
      const latency = answer.endedAt - started;
      attacker.postMessage('stop');
      const [{ answers }] = (await finished) as [{ answers: Answer[] }];
      const passedMeanwhile = answers.filter((a) => a.status === 401 && a.endedAt > started && a.endedAt <= answer.endedAt).length;
      const byStatus: Record<string, number> = {};
      for (const a of answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
      t.diagnostic(
        `attacker: ${answers.length} requests on ${ATTACK_CONNECTIONS} connections from 127.0.0.2 (by status ${JSON.stringify(byStatus)}); ` +
          `first login from 127.0.0.1: ${answer.status} in ${Math.round(latency)} ms (${Math.round(quiet)} ms without the flood), ` +
          `${passedMeanwhile} of the attacker's password checks answered meanwhile`,
      );
      assert.equal(answer.status, 200);
      // Fairness: the login waited for the check running when it came (and answers already on their way).
      assert.ok(passedMeanwhile <= 3, `${passedMeanwhile} attacker checks went first`);
      // The 2 s of the promise follow from the fairness above on a quiet machine (a first login takes
      // about 0.3 s); the latency itself is reported, not asserted: a loaded CI machine is not a benchmark.
      assert.deepEqual(
        Object.keys(byStatus).filter((s) => s !== '401' && s !== '429'),
        [],
        'the attacker got only 401 and 429',
      );
      assert.ok((byStatus[429] ?? 0) > 0, 'the flood was cut short with 429');
    } finally {
      attacker.postMessage('stop');
      await finished.catch(() => {});
      await attacker.terminate();
    }
  });
});
