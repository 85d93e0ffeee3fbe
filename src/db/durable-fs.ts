// The embedded database's files made durable: PGlite's NodeFS with fsync that reaches the disk, and fsync turned on in PostgreSQL.
import { closeSync, fsyncSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/**
 * PGlite starts PostgreSQL with `-F` (fsync off), and its Emscripten NODEFS has no `fsync`
 * stream operation, while Emscripten's `fdatasync` is a no-op: an acknowledged commit sat in
 * the OS page cache only (safe from SIGKILL, lost to a power cut or an OS crash). Here
 * PostgreSQL runs with fsync on and `wal_sync_method=fsync`, so every commit flushes its WAL
 * with fsync(2) before it returns (PostgreSQL docs, "WAL Configuration" and "Reliability"), and
 * checkpoints flush the data files the same way; the stream operation below makes those calls
 * real. PGlite's other start parameters are kept as they are.
 */
export const DURABLE_START_PARAMS = [...PGlite.defaultStartParams.filter((param) => param !== '-F'), '-c', 'wal_sync_method=fsync'];

interface EmscriptenStream {
  nfd?: number;
}
interface EmscriptenModule {
  NODEFS: { stream_ops: { fsync?: (stream: EmscriptenStream) => number } };
}

/** NodeFS whose fsync calls fsync(2) on the real file; counts them, so tests can see commits flushed. */
export class DurableNodeFS extends NodeFS {
  flushes = 0;

  override async init(...args: Parameters<NodeFS['init']>): ReturnType<NodeFS['init']> {
    const result = await super.init(...args);
    const preRun = (result.emscriptenOpts.preRun ?? []) as unknown[];
    preRun.push((mod: EmscriptenModule) => {
      mod.NODEFS.stream_ops.fsync = (stream) => {
        if (stream.nfd !== undefined) fsyncSync(stream.nfd);
        this.flushes++;
        return 0;
      };
    });
    result.emscriptenOpts.preRun = preRun as typeof result.emscriptenOpts.preRun;
    return result;
  }
}

/**
 * Flushes every file and directory under `dir` to disk. Run once the database is open: the
 * files initdb wrote for a new directory (initdb does not sync them inside PGlite), and those a
 * process that was killed left in the page cache, are then on disk before any write is
 * acknowledged, as PostgreSQL itself does after a crash (SyncDataDirectory).
 */
export function syncTree(dir: string): number {
  let count = 0;
  const sync = (path: string) => {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
      count++;
    } finally {
      closeSync(fd);
    }
  };
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) sync(child);
    }
    sync(path);
  };
  walk(dir);
  return count;
}
