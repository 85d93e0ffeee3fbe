// Where the embedded database lives when THALAMUS_DATA_DIR is not set: ./data in a checkout, the user's data directory when installed.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type Env = Record<string, string | undefined>;

/**
 * A checkout has its TypeScript sources beside the running code (src/, or dist/ built next to
 * it); an installed package (`npm install -g`) ships only dist/, so it has none.
 */
export const RUNS_FROM_CHECKOUT = existsSync(fileURLToPath(new URL('../src', import.meta.url)));

/**
 * A checkout keeps its database in ./data, as it always has. An installed command runs from any
 * folder, so its data must not follow the current folder: it goes where the XDG Base Directory
 * Specification puts user data, $XDG_DATA_HOME/thalamus (an absolute path; a relative one is
 * ignored, as the specification says), else ~/.local/share/thalamus.
 */
export function defaultDataDir(env: Env, fromCheckout = RUNS_FROM_CHECKOUT): string {
  if (fromCheckout) return resolve('./data');
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'share');
  return join(base, 'thalamus');
}
