#!/usr/bin/env node
// The `thalamus` command: the compiled JavaScript under dist/ when `npm run build` made it and it
// is newer than every source file, or there are no sources (an installed build): less memory,
// faster start. Otherwise the TypeScript sources through tsx's loader, so a fresh clone runs
// with no build step.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'cli', 'main.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sources = join(root, 'src');
if (existsSync(compiled) && (!existsSync(sources) || statSync(compiled).mtimeMs >= newestSource(sources))) {
  await import(compiled);
} else {
  // tsx is a development dependency: an installed package runs dist/ and never gets here.
  const tsx = await import('tsx/esm/api').catch(() => null);
  if (!tsx) {
    process.stderr.write('thalamus: no compiled dist/ and no tsx to run src/: run `npm ci` (or `npm run build`) in this checkout\n');
    process.exit(1);
  }
  tsx.register();
  await import('../src/cli/main.ts');
}
