// The pages of life of the national data set, in the shapes HMIS nodes and MyGNUHealth send (test/replay).
import type { TableRow } from '../src/store/rows.ts';
import { institutionName, pageId, pageOwner, personDob, personId, rngFor, type National } from './national.ts';

const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
const int = (rnd: () => number, lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const two = (n: number) => String(n).padStart(2, '0');

const CONDITIONS: [string, string][] = [
  ['I10', 'Essential (primary) hypertension'],
  ['E11.9', 'Type 2 diabetes mellitus without complications'],
  ['J11', 'Influenza due to unidentified influenza virus'],
  ['A09', 'Infectious gastroenteritis and colitis, unspecified'],
  ['J45.9', 'Asthma, unspecified'],
  ['O80', 'Single spontaneous delivery'],
  ['B50.9', 'Plasmodium falciparum malaria, unspecified'],
  ['M54.5', 'Low back pain'],
];
const CONTEXTS = ['encounter', 'health_condition', 'immunization', 'prescription', 'lab', 'procedure', 'hospitalization', 'genetics'];
const NOTE =
  'Patient seen at the outpatient clinic. Vital signs recorded. History reviewed with the patient and family; ' +
  'no known drug allergies. Physical examination unremarkable apart from the findings noted. Plan discussed and agreed; ' +
  'follow-up visit scheduled, with instructions to return earlier if symptoms worsen. ';

/** Measurements as MyGNUHealth writes them: a list of one-key objects (src/fhir/measurements.ts names the keys). */
function measurements(rnd: () => number, lifestyle: boolean): Record<string, unknown>[] {
  if (lifestyle) {
    return [
      { pa: { steps: int(rnd, 800, 16_000) } },
      { nutrition: { calories: int(rnd, 1400, 3200) } },
      { sleep: { time: int(rnd, 4, 10) } },
    ];
  }
  const all: Record<string, unknown>[] = [
    { bp: { systolic: int(rnd, 100, 170), diastolic: int(rnd, 60, 105) } },
    { hr: int(rnd, 50, 110) },
    { bg: int(rnd, 70, 240) },
    { wt: Math.round((45 + rnd() * 60) * 10) / 10 },
    { osat: int(rnd, 88, 100) },
    { t: Math.round((36 + rnd() * 3) * 10) / 10 },
  ];
  const from = int(rnd, 0, all.length - 1);
  return all.slice(from, from + int(rnd, 1, 2));
}

/** page_date after the person's birth, and the age GNU Health writes beside it. */
function when(rnd: () => number, dob: string): { page_date: string; age: string } {
  const born = Number(dob.slice(0, 4));
  const year = Math.max(born, int(rnd, 2000, 2025));
  const month = int(rnd, 1, 12);
  const day = int(rnd, 1, 28);
  const time = `${two(int(rnd, 7, 19))}:${two(int(rnd, 0, 59))}:00`;
  return { page_date: `${year}-${two(month)}-${two(day)}T${time}`, age: `${year - born}y ${month - 1}m ${day - 1}d` };
}

/** A MyGNUHealth page: self-monitoring readings or a lifestyle day, some marked private. */
function myGnuHealthPage(rnd: () => number, id: string, book: string, dob: string): Record<string, unknown> {
  const lifestyle = rnd() < 0.3;
  return {
    id,
    book,
    ...when(rnd, dob),
    page_type: lifestyle ? 'lifestyle' : 'medical',
    domain: lifestyle ? 'lifestyle' : 'medical',
    context: lifestyle ? 'lifestyle' : 'self_monitoring',
    relevance: 'normal',
    privacy: rnd() < 0.05,
    summary: lifestyle ? 'Activity, nutrition and sleep' : 'Self-monitoring reading',
    info: '',
    genetic_info: { rsref: '', protein_name: '', gene: '', aa_change: '', variant: '', phenotype: '' },
    measurements: measurements(rnd, lifestyle),
    node: 'MyGNUHealth',
  };
}

/** An HMIS node's page: an encounter, condition, lab result...; a few carry a long clinical note. */
function hmisPage(set: National, rnd: () => number, id: string, book: string, dob: string): Record<string, unknown> {
  const social = rnd() < 0.05;
  const context = social ? '' : pick(rnd, CONTEXTS);
  const [code, text] = pick(rnd, CONDITIONS);
  const node = institutionName(set, int(rnd, 0, set.institutions - 1));
  const long = rnd();
  const info = long < 0.02 ? NOTE.repeat(int(rnd, 15, 40)) : long < 0.2 ? NOTE.repeat(int(rnd, 2, 5)) : pick(rnd, ['', 'Stable', NOTE]);
  const date = when(rnd, dob);
  const page: Record<string, unknown> = {
    id,
    book,
    ...date,
    page_type: social ? 'social' : 'medical',
    medical_context: context,
    health_condition_text: context === 'health_condition' || context === 'encounter' ? text : '',
    health_condition_code: context === 'health_condition' || context === 'encounter' ? code : '',
    procedure_text: context === 'procedure' ? 'Appendectomy' : '',
    procedure_code: context === 'procedure' ? '0DTJ4ZZ' : '',
    gene: context === 'genetics' ? 'BRCA1' : '',
    phenotype: '',
    natural_variant: context === 'genetics' ? 'c.68_69delAG' : '',
    social_context: social ? pick(rnd, ['education', 'employment', 'housing']) : '',
    relevance: pick(rnd, ['normal', 'important', 'critical']),
    summary: context === 'encounter' ? 'Follow-up visit' : `${context || 'social'} record`,
    info,
    node,
    author: `${pick(rnd, ['Cameron', 'Giulia', 'Kwame', 'Priya'])} ${pick(rnd, ['Cordara', 'Rossi', 'Mensah', 'Sharma'])}`,
    author_acct: personId(set, int(rnd, 0, set.people - 1)),
    active: true,
    creation_info: { user: 'admin', timestamp: `${date.page_date.replace('T', ' ')}.000001`, node },
  };
  if (context === 'encounter') page.measurements = measurements(rnd, false);
  return page;
}

/** Page j: two in five from MyGNUHealth, the rest from HMIS nodes. */
export function page(set: National, j: number): TableRow {
  const rnd = rngFor(set.seed, 2, j + 0x20000000);
  const owner = pageOwner(set, j);
  const id = pageId(set, j);
  const book = personId(set, owner);
  const dob = personDob(set, owner);
  const data = rnd() < 0.4 ? myGnuHealthPage(rnd, id, book, dob) : hmisPage(set, rnd, id, book, dob);
  return { id, book, data };
}
