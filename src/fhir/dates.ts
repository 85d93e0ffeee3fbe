// Dates between GNU Health documents and FHIR: dob/page_date to FHIR date and dateTime, and the date search ranges.
import { badRequest } from '../errors.ts';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/;
const RFC_1123 = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4})(?: |$)/;

function validDay(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

/**
 * A FHIR `date` (YYYY-MM-DD) from "YYYY-MM-DD", an ISO date-time (its date part) or an RFC 1123
 * date ("Fri, 04 Oct 1985 13:05:00 GMT"); undefined for anything else. The SQL function
 * fhir_date (migration 030) reads the same three forms, so searches agree with what is shown.
 */
export function fhirDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const iso = ISO_DAY.exec(value);
  if (iso) return validDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const rfc = RFC_1123.exec(value);
  const month = rfc ? MONTHS.indexOf(rfc[2].toLowerCase()) : -1;
  if (rfc && month >= 0) return validDay(Number(rfc[3]), month + 1, Number(rfc[1]));
  return undefined;
}

const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * A FHIR `dateTime` from a stored date or date-time. GNU Health (Tryton) keeps times in UTC
 * without a zone, and FHIR requires one once there is a time, so a time without zone is UTC.
 */
export function fhirDateTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO_DATE_TIME.exec(value.trim());
  if (m) {
    if (!fhirDate(m[1])) return undefined;
    return `${m[1]}T${m[2]}${m[3] ?? ':00'}${m[4] ?? 'Z'}`;
  }
  if (RFC_1123.test(value)) {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? fhirDate(value) : parsed.toISOString().replace('.000Z', 'Z');
  }
  return fhirDate(value);
}

export type DatePrefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le';
/** One value of a date search parameter: its prefix and the period it names, [start, end), as UTC ISO text. */
export interface DateBound {
  prefix: DatePrefix;
  start: string;
  end: string;
}

const PREFIXES: readonly string[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le'];
const SEARCH_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * Parses a date search value ("ge2020-01", "1978-04-21", "lt2024-05-01T10:00:00Z") into its
 * prefix and period: the value's precision sets the period (a year, a month, a day, a minute
 * or a second). A time without zone is UTC, as stored times are. sa, eb and ap are refused.
 */
export function parseDateBound(raw: string): DateBound {
  const prefix = PREFIXES.includes(raw.slice(0, 2)) ? (raw.slice(0, 2) as DatePrefix) : 'eq';
  const text = /^[a-z]{2}/.test(raw) ? raw.slice(2) : raw;
  if (/^[a-z]{2}/.test(raw) && !PREFIXES.includes(raw.slice(0, 2))) {
    throw badRequest(`Unsupported date prefix "${raw.slice(0, 2)}" (supported: ${PREFIXES.join(' ')})`);
  }
  const m = SEARCH_DATE.exec(text);
  if (!m) throw badRequest(`Invalid date "${raw}": expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][zone]`);
  const [, y, mo, d, h, mi, s, zone] = m;
  const parts = [Number(y), mo ? Number(mo) - 1 : 0, d ? Number(d) : 1, h ? Number(h) : 0, mi ? Number(mi) : 0, s ? Number(s) : 0];
  let start = Date.UTC(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);
  const check = new Date(start);
  if (check.getUTCMonth() !== parts[1] || check.getUTCDate() !== parts[2] || (h && (parts[3] > 23 || parts[4] > 59))) {
    throw badRequest(`Invalid date "${raw}"`);
  }
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    start -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  const next = new Date(start);
  if (s) next.setUTCSeconds(next.getUTCSeconds() + 1);
  else if (h) next.setUTCMinutes(next.getUTCMinutes() + 1);
  else if (d) next.setUTCDate(next.getUTCDate() + 1);
  else if (mo) next.setUTCMonth(next.getUTCMonth() + 1);
  else next.setUTCFullYear(next.getUTCFullYear() + 1);
  const iso = (t: number) => new Date(t).toISOString().slice(0, 19);
  return { prefix, start: iso(start), end: iso(next.getTime()) };
}

/** An HTTP date (RFC 9110) for Last-Modified. */
export const httpDate = (time: Date): string => time.toUTCString();
