// No acknowledged write lost to SIGKILL: four clients stream page writes to a real server, which is killed and restarted, twice, on each database.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { serveProcess, type ServeRun } from '../cli/serve-process.ts';
import { ANA, backends, basic, freshPostgres } from '../helper.ts';
import { checkStored, streamWrites, until, type StreamResult } from './write-stream.ts';

const BIN = join(PROJECT_ROOT, 'bin/thalamus.js');
const headers = { authorization: basic(ANA.id, ANA.password), 'content-type': 'application/json' };
/** Each round kills the server once this many writes were acknowledged (or after 20 s, whichever comes first). */
const ACKNOWLEDGED_BEFORE_KILL = 150;

/** Posts a page to Ana's book over HTTP; null when the connection broke before an answer. */
function sender(run: ServeRun) {
  return async (id: string, body: Record<string, unknown>): Promise<number | null> => {
    try {
      const res = await fetch(`${run.url}/pols/${ANA.id}/${id}`, { method: 'POST', headers, body: JSON.stringify(body) });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return null;
    }
  };
}

/** Ana's book as the restarted server reads it, by page id. */
async function storedPages(run: ServeRun): Promise<Map<string, Record<string, unknown>>> {
  const res = await fetch(`${run.url}/pols/${ANA.id}`, { headers });
  assert.equal(res.status, 200);
  const book = (await res.json()) as [Record<string, unknown>][];
  return new Map(book.map(([page]) => [String(page.id), page]));
}

for (const backend of backends()) {
  describe(`SIGKILL while four clients write [${backend}]`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    /** The server's environment: a data directory of its own, or a PostgreSQL database of its own. */
    async function environment(): Promise<Record<string, string>> {
      if (backend === 'pglite') {
        const dir = mkdtempSync(join(tmpdir(), 'thalamus-sigkill-'));
        cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
        return { THALAMUS_DATA_DIR: join(dir, 'data') };
      }
      const db = await freshPostgres();
      cleanups.push(() => db.close());
      return { THALAMUS_DATABASE_URL: db.url, THALAMUS_DEMO: 'true' };
    }

    test('every write answered 2xx is there after each restart, none half-written', async (t: TestContext) => {
      const env = await environment();
      const sent: StreamResult[] = [];
      let run = await serveProcess(BIN, env);
      for (let round = 1; round <= 2; round++) {
        const stream = streamWrites(sender(run), `kill${round}`);
        await until(() => stream.count() >= ACKNOWLEDGED_BEFORE_KILL, 20_000, 'acknowledged writes').catch(() => {});
        await run.kill();
        const result = await stream.stop();
        sent.push(result);
        run = await serveProcess(BIN, env);
        const stored = await storedPages(run);
        for (const [i, earlier] of sent.entries()) {
          const { acknowledgedFound, unknownFound, problems } = checkStored(stored, earlier);
          if (i === sent.length - 1) {
            t.diagnostic(
              `${backend} round ${round}: ${earlier.acknowledged.size} writes acknowledged before SIGKILL, ${acknowledgedFound} of them found after the restart; ` +
                `${earlier.unknown.size} unanswered or failed, ${unknownFound} of those stored (whole); answers ${JSON.stringify(earlier.statuses)}`,
            );
          }
          assert.deepEqual(problems, []);
          assert.equal(acknowledgedFound, earlier.acknowledged.size);
        }
        assert.ok(result.acknowledged.size > 0, 'the server acknowledged writes before it was killed');
      }
      assert.equal(await run.stop(), 0);
    });
  });
}
