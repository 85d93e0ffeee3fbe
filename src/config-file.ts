// THALAMUS_CONFIG: the reference's Python-syntax etc/thalamus.cfg, or a JSON object, read into THALAMUS_* settings and warnings.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, reasonOf } from './errors.ts';

type Env = Record<string, string | undefined>;

export interface ConfigFile {
  /** Settings under the names loadConfig reads (THALAMUS_*, POSTGRESQL_URI). */
  settings: Env;
  /** What was ignored, and why: printed at start, never fatal. */
  warnings: string[];
}

/** One `NAME = value` of the file: the value as a string, or null when it is not a plain literal (an expression). */
interface Assignment {
  name: string;
  value: string | undefined | null;
  line: number;
  text: string;
}

/** Reads the file named by THALAMUS_CONFIG: JSON when it starts with `{`, else the reference's Python syntax. */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`THALAMUS_CONFIG: cannot read ${path}: ${reasonOf(err)}`);
  }
  const warnings: string[] = [];
  const assignments = text.trimStart().startsWith('{') ? fromJson(path, text) : fromPython(path, text, warnings);
  return { settings: translate(path, assignments, warnings), warnings };
}

function fromJson(path: string, text: string): Assignment[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`THALAMUS_CONFIG: ${path} is not valid JSON: ${reasonOf(err)}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`THALAMUS_CONFIG: ${path} must hold a JSON object of THALAMUS_* settings`);
  }
  return Object.entries(parsed).map(([name, v]) => ({
    name,
    value: v == null ? undefined : typeof v === 'object' ? null : String(v),
    line: 0,
    text: JSON.stringify(v),
  }));
}

const PY_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"', '\n': '' };

/** A Python literal: a string (any quotes, r/u prefix), True/False/None or a number; null for anything else. */
function pythonLiteral(raw: string): string | undefined | null {
  const v = raw.trim();
  if (v === 'True') return 'true';
  if (v === 'False') return 'false';
  if (v === 'None') return undefined;
  if (/^[-+]?\d[\d_]*(\.\d*)?([eE][-+]?\d+)?$/.test(v)) return v.replace(/_/g, '');
  const m = /^([rRuU]?)('''|"""|'|")([\s\S]*)\2$/.exec(v);
  if (!m || (m[2].length === 1 && m[3].includes('\n'))) return null;
  const [, prefix, quote, body] = m;
  // The body must not close the string early (`'a' + 'b'` is an expression, not one literal).
  const unescapedQuote = new RegExp(`(^|[^\\\\])(\\\\\\\\)*${quote.replace(/"/g, '\\"')}`);
  if (unescapedQuote.test(body)) return null;
  if (prefix.toLowerCase() === 'r') return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[\s\S])/g, (all, e: string) =>
    e.length > 1 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (PY_ESCAPES[e] ?? all),
  );
}

/** Strips a trailing `# comment` that is outside any string. */
function withoutComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

/** The reference's file is Python that Flask executes; we read its `NAME = literal` lines and say what else we skipped. */
function fromPython(path: string, text: string, warnings: string[]): Assignment[] {
  const lines = text.split(/\r?\n/);
  const out: Assignment[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = withoutComment(lines[i]).trim();
    const start = i + 1;
    if (line === '' || /^(import|from)\s/.test(line)) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)\s*([\s\S]*)$/.exec(line);
    if (!m) {
      warnings.push(`THALAMUS_CONFIG: ${path} line ${start} is not a NAME = value setting; ignored`);
      continue;
    }
    // A triple-quoted string may span lines.
    const triple = /^[rRuU]?('''|""")/.exec(m[2]);
    while (triple && !m[2].slice(triple[0].length).includes(triple[1]) && i + 1 < lines.length) {
      m[2] += `\n${lines[++i]}`;
    }
    out.push({ name: m[1], value: pythonLiteral(m[2]), line: start, text: m[2].trim() });
  }
  return out;
}

/**
 * The reference ran from its package folder, so its `ACL = "etc/roles.cfg"` is relative to the folder
 * above the file's etc/: try there first, then beside the file, then the current folder.
 */
function resolveAcl(path: string, acl: string): string {
  if (isAbsolute(acl)) return acl;
  const candidates = [resolve(dirname(path), '..', acl), resolve(dirname(path), acl), resolve(acl)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new ConfigError(`ACL in ${path}: cannot find ${acl} (looked for ${candidates.join(', ')})`);
  return found;
}

/** The reference's names become ours; unknown names and ignored values become warnings. */
function translate(path: string, assignments: Assignment[], warnings: string[]): Env {
  const settings: Env = {};
  const where = (a: Assignment) => (a.line ? `${path} line ${a.line}` : path);
  for (const a of assignments) {
    const value = a.value;
    if (a.name === 'DEBUG') {
      warnings.push(`DEBUG in ${where(a)} is ignored: Thalamus has no debug server (THALAMUS_LOG_LEVEL=debug logs every request)`);
    } else if (a.name === 'SECRET_KEY') {
      if (value === null) {
        warnings.push(
          `SECRET_KEY in ${where(a)} is not a plain string; ignored: a random secret is made at each start (set THALAMUS_SECRET to share one)`,
        );
      } else if (value !== undefined && value.length < 32) {
        warnings.push(
          `SECRET_KEY in ${where(a)} is shorter than 32 characters; ignored: a random secret is made at each start (set THALAMUS_SECRET, for example \`openssl rand -hex 32\`)`,
        );
      } else settings.THALAMUS_SECRET = value;
    } else if (a.name === 'POSTGRESQL_URI' || a.name === 'ACL' || a.name.startsWith('THALAMUS_')) {
      if (value === null) {
        // The connection string may hold a password: it is not repeated.
        const shown = a.name === 'POSTGRESQL_URI' ? 'its value' : `\`${a.text}\``;
        throw new ConfigError(`${a.name} in ${where(a)}: ${shown} is not a plain value; write it as a quoted string`);
      }
      if (a.name === 'ACL') settings.THALAMUS_ROLES = value === undefined ? undefined : resolveAcl(path, value);
      else settings[a.name] = value;
    } else {
      warnings.push(`${a.name} in ${where(a)} is not a Thalamus setting; ignored`);
    }
  }
  return settings;
}
