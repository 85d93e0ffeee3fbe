// The embedded adapter: PGlite (PostgreSQL compiled to WebAssembly) in this process, its directory locked to it.
import { PGlite } from '@electric-sql/pglite';
import { activity } from './activity.ts';
import { lockDataDir } from './data-dir-lock.ts';
import type { Db, Queryable } from './db.ts';
import { checkChannel } from './listen.ts';
import { timed } from './query-timing.ts';
import { DbUnavailableError } from './unavailable.ts';
import { DURABLE_START_PARAMS, DurableNodeFS, syncTree } from './durable-fs.ts';

/** Two processes writing one data directory lose each other's writes: a lost lock stops this one. */
function stopOnLostLock(dataDir: string) {
  return (err: Error) => {
    process.stderr.write(`thalamus: lost the lock on ${dataDir} (${err.message}); stopping so that no other process writes it too\n`);
    process.exit(1);
  };
}

/**
 * The embedded database: a directory path (locked for this process, see data-dir-lock.ts, and
 * durable: every commit is flushed to disk before it returns, see durable-fs.ts), `memory://`,
 * or a dumped data directory to start from. `flushes` counts the fsyncs of a directory's files.
 */
export async function openPglite(
  dataDir: string,
  options: { loadDataDir?: Blob } = {},
): Promise<Db & { pglite: PGlite; flushes(): number }> {
  const onDisk = !/^[a-z]+:\/\//i.test(dataDir);
  const unlock = onDisk ? await lockDataDir(dataDir, stopOnLostLock(dataDir)) : async () => {};
  let db: PGlite | undefined;
  const durable = onDisk ? new DurableNodeFS(dataDir) : null;
  try {
    const load = options.loadDataDir ? { loadDataDir: options.loadDataDir } : {};
    db = durable ? await PGlite.create({ fs: durable, startParams: DURABLE_START_PARAMS, ...load }) : await PGlite.create(dataDir, load);
    if (durable) syncTree(dataDir);
  } catch (err) {
    await db?.close().catch(() => {});
    await unlock();
    throw err;
  }
  const work = activity();
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    // PGlite reads a COPY's input from the Blob it is handed, as the file /dev/blob.
    copyIn: (sql: string, data: string) =>
      work.track(async () => {
        if (db.closed) throw new DbUnavailableError('PGlite is closed');
        await timed(() => q.query(sql.replace(/\bFROM STDIN\b/i, "FROM '/dev/blob'"), [], { blob: new Blob([data]) }));
      }),
    query: <T>(sql: string, params: readonly unknown[] = []) =>
      work.track(async () => {
        if (db.closed) throw new DbUnavailableError('PGlite is closed');
        const res = await timed(() => q.query<T>(sql, [...params]));
        return res.rows;
      }),
    exec: (sql: string) =>
      work.track(async () => {
        if (db.closed) throw new DbUnavailableError('PGlite is closed');
        await q.exec(sql);
      }),
  });
  return {
    kind: 'pglite',
    pglite: db,
    flushes: () => durable?.flushes ?? 0,
    poolStats: () => null,
    ...wrap(db),
    transaction: (fn) => work.track(() => db.transaction((tx) => fn(wrap(tx)))),
    async listen(channel, onNotify) {
      const unlisten = await db.listen(checkChannel(channel), () => onNotify());
      onNotify();
      return async () => {
        if (!db.closed) await unlisten();
      };
    },
    async close() {
      if (!db.closed) {
        await work.settled();
        if (!db.closed) await db.close();
      }
      await unlock();
    },
  };
}
