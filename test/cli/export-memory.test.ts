// `thalamus export` of 100,000 people streams: the heap stays far below the size of what it writes.
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runCli } from '../../src/cli/program.ts';
import type { Db, Queryable } from '../../src/db/db.ts';
import { eachBackend, seededDb } from '../helper.ts';
import { keepOpen } from './cli-io.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PEOPLE = 100_000;

/** A slow reader that keeps nothing: counts bytes and lines, and records the live heap's high-water mark. */
class CountingSink extends Writable {
  bytes = 0;
  lines = 0;
  chunks = 0;
  peakHeap = 0;
  constructor() {
    super({ highWaterMark: 64 * 1024 });
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.bytes += chunk.length;
    for (const byte of chunk) if (byte === 0x0a) this.lines += 1;
    // Every fourth chunk, collected first: the mark counts what the export holds, not garbage awaiting the GC.
    this.chunks += 1;
    if (this.chunks % 4 === 0) {
      gc();
      this.peakHeap = Math.max(this.peakHeap, process.memoryUsage().heapUsed);
    }
    setImmediate(done);
  }
}

eachBackend('thalamus export at scale', (backend) => {
  let db: Db;
  before(async () => {
    db = await seededDb(backend);
    // One INSERT ... SELECT generate_series: about 600 bytes a person, some 60 MB of NDJSON.
    await insertGeneratedPeople(db, 'MEM', PEOPLE, 500);
  });
  after(() => db.close());

  test(`exporting ${PEOPLE} people keeps the heap growth a small fraction of the output`, async () => {
    const sink = new CountingSink();
    const stderr = new PassThrough();
    let summary = '';
    stderr.on('data', (c) => (summary += c));
    gc();
    const baseline = process.memoryUsage().heapUsed;
    const code = await runCli(['export'], {
      env: { THALAMUS_LOG_LEVEL: 'silent' },
      stdin: new PassThrough(),
      stdout: sink,
      stderr,
      openDb: async () => keepOpen(db),
    });
    assert.equal(code, 0, summary);
    sink.end();
    await finished(sink);
    assert.equal(summary, `exported ${PEOPLE + 6} rows\n`);
    assert.equal(sink.lines, PEOPLE + 6);
    assert.ok(sink.bytes > 50_000_000, `only ${sink.bytes} bytes exported`);
    const growth = sink.peakHeap - baseline;
    // Holding the export whole would take at least its size (twice that as JS strings); a stream holds a batch or two.
    assert.ok(growth < sink.bytes / 10, `heap grew by ${growth} bytes while exporting ${sink.bytes} bytes`);
  });
});

/**
 * Inserts `count` generated people (ids `${prefix}000000001`...) in one statement, each with a
 * document of about `padding` characters: for exercising export and listing at scale.
 */
async function insertGeneratedPeople(q: Queryable, prefix: string, count: number, padding = 0): Promise<void> {
  await q.query(
    `INSERT INTO people (id, data)
     SELECT $1 || lpad(n::text, 9, '0'),
            jsonb_build_object('id', $1 || lpad(n::text, 9, '0'), 'name', 'Person ' || n, 'active', true,
                               'roles', jsonb_build_array('end_user'), 'note', repeat('x', $3::int))
     FROM generate_series(1, $2::int) AS n`,
    [prefix, count, padding],
  );
}
