// The national data set, row by row: every person, page and document is a pure function of (seed, size, index).
import { createHash } from 'node:crypto';
import type { TableRow } from '../src/store/rows.ts';

/**
 * The passwords of the generated people, and their cost-12 bcrypt hashes computed once (hashing
 * ten million passwords would take days and measure nothing). Person n has PASSWORDS[n % 4].
 */
export const PASSWORDS = ['bench-password-1', 'bench-password-2', 'bench-password-3', 'bench-password-4'];
export const HASHES = [
  '$2b$12$Nw9uaJShzHpJELPDnF..re.TDOepIxlL4NQeNitD1NN/jdo.ui4HS',
  '$2b$12$VOBjzeuvuS1l9EGLOPCEv.VQPyw1NESqal4CNN5snLBOmc2hqSpyi',
  '$2b$12$jDc.FHHTzhlIyV9djY/XoOUIfdtI6Ki2lsyPbHAJiSDQJmeMEl2DO',
  '$2b$12$.Khot6XU2v.70Q07405p2.f55kQrwV2zFxllEaklH010LcgvdCDre',
];

export interface National {
  seed: number;
  people: number;
  pages: number;
  docs: number;
  institutions: number;
}

/** The sizes for N people: 5N pages (the ratio), a document per 2,000 people, a node per 20,000. */
export function nationalSize(people: number, seed = 1): National {
  return {
    seed,
    people,
    pages: 5 * people,
    docs: Math.max(1, Math.floor(people / 2000)),
    institutions: Math.max(3, Math.ceil(people / 20_000)),
  };
}

/** A small counter-based generator (mulberry32 seeded by a hash of seed, stream and index): any row can be made alone. */
export function rngFor(seed: number, stream: number, index: number): () => number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35) ^ Math.imul(index + 0x632be5ab, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  let a = (h ^ (h >>> 12)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const STREAM = { person: 1, page: 2, doc: 3, institution: 4, owner: 5, dob: 6 } as const;
const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
const int = (rnd: () => number, lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

// Federation ids: 3-letter country, 3 letters, 3 digits, 3 letters (docs/wire-contract.md). Spread
// evenly over that space in index order, so the ids come out sorted, as `thalamus export` writes them.
const COUNTRIES = ['ARG', 'BOL', 'BRA', 'CMR', 'ESP', 'GHA', 'IND', 'ITA', 'KEN', 'LAO', 'MEX', 'PHL'];
const L3 = 26 ** 3;
const ID_SPACE = COUNTRIES.length * L3 * 1000 * L3;
const letters = (v: number) => String.fromCharCode(65 + Math.floor(v / 676), 65 + (Math.floor(v / 26) % 26), 65 + (v % 26));

export function personId(set: National, n: number): string {
  const r = rngFor(set.seed, STREAM.person, n)();
  let v = Math.floor(((n + r) * ID_SPACE) / set.people);
  const tail = v % L3;
  v = Math.floor(v / L3);
  const digits = v % 1000;
  v = Math.floor(v / 1000);
  return `${COUNTRIES[Math.floor(v / L3)]}${letters(v % L3)}${String(digits).padStart(3, '0')}${letters(tail)}`;
}

/** A version-4-looking uuid whose first 48 bits grow with the index: random, yet sorted like an export. */
function sortedUuid(rnd: () => number, index: number, count: number): string {
  const high = Math.floor(((index + rnd()) * 2 ** 48) / count);
  const hex = (bits: number, digits: number) =>
    Math.floor(rnd() * 2 ** bits)
      .toString(16)
      .padStart(digits, '0');
  const h = high.toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8)}-4${hex(12, 3)}-${(8 + int(rnd, 0, 3)).toString(16)}${hex(12, 3)}-${hex(24, 6)}${hex(24, 6)}`;
}

const FIRST = [
  'Ana',
  'Cameron',
  'Giulia',
  'Kwame',
  'Priya',
  'Luis',
  'Amina',
  'Somchai',
  'Maria',
  'John',
  'Wanjiru',
  'Diego',
  'Mei',
  'Fatou',
];
const LAST = ['Betz', 'Cordara', 'Rossi', 'Mensah', 'Sharma', 'Garcia', 'Okafor', 'Phommasack', 'Silva', 'Smith', 'Kamau', 'Lopez'];
const PROFESSIONS = ['Teacher', 'Farmer', 'Nurse', 'Engineer', 'Student', 'Retired', 'Driver', 'Merchant', 'Family physician', ''];

/** A person as GNU Health sends one; some created by HMIS nodes (no password yet), a few inactive. */
export function person(set: National, n: number): TableRow {
  const rnd = rngFor(set.seed, STREAM.person, n);
  rnd();
  const id = personId(set, n);
  const data: Record<string, unknown> = {
    id,
    name: pick(rnd, FIRST),
    lastname: pick(rnd, LAST),
    gender: rnd() < 0.5 ? 'f' : 'm',
    dob: personDob(set, n),
    marital_status: pick(rnd, ['s', 'm', 'w', 'd', 'c']),
    ethnicity: pick(rnd, ['latino', 'european', 'african', 'asian', 'indigenous']),
    education: pick(rnd, ['primary', 'secondary', 'tertiary', 'none']),
    profession: pick(rnd, PROFESSIONS),
    active: rnd() >= 0.002,
    roles: rnd() < 0.01 ? ['end_user', 'health_professional'] : ['end_user'],
  };
  if (rnd() < 0.2) {
    const node = institutionName(set, int(rnd, 0, set.institutions - 1));
    data.creation_info = { user: 'admin', timestamp: `${int(rnd, 2015, 2025)}-03-0${int(rnd, 1, 9)} 10:11:12.123456`, node };
  } else {
    data.password = HASHES[n % HASHES.length];
  }
  return { id, data };
}

/** Person n's date of birth (its own stream: a page needs it without the rest of the person). */
export function personDob(set: National, n: number): string {
  const rnd = rngFor(set.seed, STREAM.dob, n);
  return `${int(rnd, 1930, 2024)}-${String(int(rnd, 1, 12)).padStart(2, '0')}-${String(int(rnd, 1, 28)).padStart(2, '0')}`;
}

const names = new Map<string, string>();

/** Institution i's name (a few dozen at most: kept once made, pages name them all the time). */
export function institutionName(set: National, i: number): string {
  const key = `${set.seed}/${i}`;
  let name = names.get(key);
  if (name === undefined) names.set(key, (name = makeInstitutionName(set, i)));
  return name;
}

function makeInstitutionName(set: National, i: number): string {
  const rnd = rngFor(set.seed, STREAM.institution, i);
  return `${pick(rnd, ['Central', 'District', 'Regional', 'Community', 'University'])} ${pick(rnd, ['Hospital', 'Health Centre', 'Clinic', 'Laboratory'])} ${i + 1}`;
}

export function institution(set: National, i: number): TableRow {
  const id = `INST-${String(i + 1).padStart(6, '0')}`;
  return { id, data: { id, name: institutionName(set, i), institution_type: 'hospital', beds: 20 + (i % 400) } };
}

/** The book of page j: most pages spread over everyone, a fifth on the first 1% (long chronic books). */
export function pageOwner(set: National, j: number): number {
  const rnd = rngFor(set.seed, STREAM.owner, j);
  return rnd() < 0.2 ? Math.floor(rnd() * Math.max(1, set.people / 100)) : Math.floor(rnd() * set.people);
}

export function pageId(set: National, j: number): string {
  return sortedUuid(rngFor(set.seed, STREAM.page, j), j, set.pages);
}

export function docId(set: National, k: number): string {
  return sortedUuid(rngFor(set.seed, STREAM.doc, k), k, set.docs);
}

/** The page each document belongs to: spread evenly over the pages. */
export const docPage = (set: National, k: number) => Math.floor(((k + 0.5) * set.pages) / set.docs);

/** The bytes of document k: a few to a few hundred kilobytes, the same for the same seed. */
export function docBytes(set: National, k: number): Buffer {
  const rnd = rngFor(set.seed, STREAM.doc, k + 0x10000000);
  const size = rnd() < 0.9 ? int(rnd, 2_000, 40_000) : int(rnd, 100_000, 400_000);
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) bytes.writeUInt32LE(Math.floor(rnd() * 4294967296), Math.min(i, size - 4));
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  return bytes;
}

export function doc(set: National, k: number): TableRow {
  const id = docId(set, k);
  const j = docPage(set, k);
  const document = docBytes(set, k);
  const data = {
    id,
    name: `scan-${k + 1}.jpg`,
    description: pick(rngFor(set.seed, STREAM.doc, k), ['Picture at birth', 'Vaccination card', 'Lab report', 'X-ray']),
    hash: createHash('sha512').update(document).digest('hex'),
  };
  return { id, fedacct: personId(set, pageOwner(set, j)), pol: pageId(set, j), data, document };
}
