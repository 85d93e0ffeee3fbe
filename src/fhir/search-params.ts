// Search parameters: the raw name=value pairs of a search, sorted into known clauses, paging and the ignored rest.
import { badRequest } from '../errors.ts';

export type ParamType = 'token' | 'string' | 'date' | 'reference';
export interface SearchParamDef {
  name: string;
  type: ParamType;
  documentation: string;
}

/** One occurrence of a known parameter: its comma-separated values are ORed; occurrences are ANDed. */
export interface Clause {
  name: string;
  modifier?: string;
  values: string[];
}

export interface SearchRequest {
  clauses: Clause[];
  count: number;
  /** Keyset paging: the page after this resource id, or the page before it. */
  after?: string;
  before?: string;
  format?: string;
  /** `_sort=date` or `-date` (FHIR search.html#sort); by id otherwise. */
  sort?: 'date' | '-date';
  /** `_summary=count`: the total only, no entries (FHIR search.html#summary). */
  summary?: 'count';
  /** Parameters this server does not know (ignored, left out of the self link). */
  ignored: string[];
}

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 100;

const MODIFIERS: Record<ParamType, readonly string[]> = {
  string: ['exact', 'contains'],
  token: [],
  date: [],
  reference: ['Patient'],
};

/** Splits a value on unescaped commas (FHIR search.html#escaping) and unescapes \, \$ \| \\. */
export function splitValues(raw: string): string[] {
  const values: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) current += raw[++i];
    else if (c === ',') {
      values.push(current);
      current = '';
    } else current += c;
  }
  values.push(current);
  return values.filter((v) => v !== '');
}

/** `_summary`: `count` (the total only) or `false` (the full resources, the default); the summary views of elements are not offered. */
function parseSummary(raw: string): 'count' | undefined {
  if (raw === 'count') return 'count';
  if (raw === 'false') return undefined;
  throw badRequest(`_summary=${raw} is not supported (only count, or false for the full resources)`);
}

function parseCount(raw: string): number {
  if (!/^\d+$/.test(raw)) throw badRequest(`_count must be a whole number, not "${raw}"`);
  return Math.min(Number(raw), MAX_COUNT);
}

/**
 * Reads a search's parameters against the type's definitions. Unknown parameters (and unknown
 * modifiers) are ignored, or refused with 400 when the client asked `Prefer: handling=strict`;
 * parameters with an empty value are ignored (FHIR search.html#errors).
 */
export function parseSearch(
  pairs: Iterable<[string, string]>,
  defs: readonly SearchParamDef[],
  strict: boolean,
  sortable: readonly string[] = [],
): SearchRequest {
  const search: SearchRequest = { clauses: [], count: DEFAULT_COUNT, ignored: [] };
  for (const [key, value] of pairs) {
    if (key === '_count') search.count = parseCount(value);
    else if (key === '_sort') {
      // By id is the order anyway; a sort this type does not offer is ignored, or 400 when strict.
      if (sortable.includes(value.replace(/^-/, ''))) search.sort = value as 'date' | '-date';
      else if (value !== '_id') {
        if (strict) throw badRequest(`_sort=${value} is not supported here (Prefer: handling=strict)`);
        search.ignored.push(key);
      }
    } else if (key === '_after' || key === '_before') search[key === '_after' ? 'after' : 'before'] = value;
    else if (key === '_format') search.format = value;
    else if (key === '_summary') search.summary = parseSummary(value);
    else {
      const [name, modifier, ...rest] = key.split(':');
      const def = defs.find((d) => d.name === name);
      const known = def && rest.length === 0 && (modifier === undefined || MODIFIERS[def.type].includes(modifier));
      if (!known) {
        if (strict) throw badRequest(`Unknown search parameter "${key}" (Prefer: handling=strict)`);
        search.ignored.push(key);
        continue;
      }
      const values = splitValues(value);
      if (values.length > 0) search.clauses.push({ name, ...(modifier === undefined ? {} : { modifier }), values });
    }
  }
  if (search.after !== undefined && search.before !== undefined) throw badRequest('_after and _before cannot be used together');
  return search;
}

/** The query string of a search as it was carried out: the clauses used, then _count and the page. */
export function canonicalQuery(search: SearchRequest, page: { after?: string; before?: string } = {}): string {
  const params = new URLSearchParams();
  for (const c of search.clauses) {
    params.append(c.modifier ? `${c.name}:${c.modifier}` : c.name, c.values.map((v) => v.replace(/[\\,]/g, '\\$&')).join(','));
  }
  if (search.format !== undefined) params.append('_format', search.format);
  if (search.sort !== undefined) params.append('_sort', search.sort);
  if (search.summary !== undefined) params.append('_summary', search.summary);
  params.append('_count', String(search.count));
  if (page.after !== undefined) params.append('_after', page.after);
  if (page.before !== undefined) params.append('_before', page.before);
  return params.toString();
}

/** A token value: `system|code`, `|code` (no system) or `code` (any system). */
export interface Token {
  system?: string | null;
  code: string;
}
export function parseToken(raw: string): Token {
  const bar = raw.indexOf('|');
  if (bar < 0) return { code: raw };
  return { system: bar === 0 ? null : raw.slice(0, bar), code: raw.slice(bar + 1) };
}

/** The Patient id a reference value names (`Patient/<id>`, an absolute URL ending so, or a bare id); null for another type. */
export function referencedPatient(raw: string): string | null {
  const parts = raw.split('/');
  if (parts.length === 1) return raw;
  const [type, id] = parts.slice(-2);
  return type === 'Patient' ? id : null;
}

/** The raw pairs of a URL's query string, in order, repeated names kept. */
export function queryPairs(url: string): [string, string][] {
  const q = url.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(url.slice(q + 1))];
}

/** The pairs of a form body as the body parser gives it ({name: value | values}). */
export function formPairs(body: unknown): [string, string][] {
  if (typeof body !== 'object' || body === null) return [];
  const pairs: [string, string][] = [];
  for (const [key, value] of Object.entries(body)) {
    for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') pairs.push([key, v]);
  }
  return pairs;
}
