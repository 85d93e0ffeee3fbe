// JSON request bodies that are stored exactly as sent, or refused: strict UTF-8, bounded nesting and size, exact numbers, no prototype keys.
import { badRequest } from './errors.ts';

/** Deeper documents are refused: Python's json (the clients) and JSON.stringify both fail on a few thousand levels. */
export const MAX_JSON_DEPTH = 64;
/** Object members in one body, all levels together. */
export const MAX_JSON_KEYS = 10_000;
/** Keys that reach an object's prototype in JavaScript code that reads the document (`obj[key]`). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text; invalid UTF-8 is refused rather than turned into U+FFFD. */
export function strictUtf8(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw badRequest('The body is not valid UTF-8');
  }
}

const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** A decimal as sign, significant digits and exponent, so that two spellings of one value compare equal. */
function canonical(text: string): string | null {
  const m = NUMBER.exec(text);
  if (!m) return null;
  const [, sign, int, frac = '', exp = '0'] = m;
  let digits = (int + frac).replace(/^0+/, '');
  if (digits === '') return '0';
  let exponent = BigInt(exp) - BigInt(frac.length);
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += BigInt(trailing);
  return `${sign}${digits}e${exponent}`;
}

/**
 * True when JavaScript holds the number exactly as written: 0.1 and 1.50 are kept (they print
 * back as the same decimal), 1e400 (Infinity), 1e-400 (0) and 12345678901234567890123 (whose
 * last digits a double cannot hold) are not.
 */
function isExact(token: string): boolean {
  const value = Number(token);
  if (!Number.isFinite(value)) return false;
  const written = canonical(token);
  return written !== null && written === canonical(String(value).replace(/e\+/, 'e'));
}

const isDigitStart = (c: number) => c === 45 || (c >= 48 && c <= 57);
const isNumberChar = (c: number) => (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 69 || c === 101;

/**
 * One pass over the text, outside strings: nesting depth, object members and every number
 * token. Runs before JSON.parse so a body of a million brackets costs a scan, not a stack.
 * Malformed JSON is left to JSON.parse to describe.
 */
function checkShape(text: string): void {
  let depth = 0;
  let keys = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: skip to its closing quote, over escapes.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) throw badRequest(`The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (c === 125 || c === 93) {
      depth--;
    } else if (c === 58) {
      if (++keys > MAX_JSON_KEYS) throw badRequest(`The JSON body has more than ${MAX_JSON_KEYS} keys`);
    } else if (isDigitStart(c)) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      const token = text.slice(i, end);
      if (NUMBER.test(token) && !isExact(token)) {
        throw badRequest(
          `The number ${token.length > 40 ? `${token.slice(0, 40)}...` : token} cannot be stored exactly; send it as a string`,
        );
      }
      i = end - 1;
    }
  }
}

/** Refuses prototype keys at any level (the depth is already bounded, so recursion is safe). */
function checkKeys(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) checkKeys(item);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(key)) throw badRequest(`The key "${key}" is not allowed in a JSON body`);
      checkKeys(item);
    }
  }
}

/** Parses a JSON body, refusing with 400 anything that would not be stored exactly as sent. */
export function parseJsonBody(text: string): unknown {
  checkShape(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest(`Malformed JSON body: ${(err as Error).message}`);
  }
  checkKeys(value);
  return value;
}
