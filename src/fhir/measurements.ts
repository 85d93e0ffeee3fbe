// The measurements of a page of life as Observations: LOINC code, UCUM unit and category per key (README, "Measurements").
import type { Coding, Observation, ObservationComponent, Quantity } from 'fhir/r4.js';
import { LOINC, OBSERVATION_CATEGORY, UCUM } from './uris.ts';

export type ObservationCategory = 'vital-signs' | 'laboratory' | 'activity' | 'social-history';

interface Measure {
  category: ObservationCategory;
  codes: [string, string][];
  unit: string;
  /** A field of an object value holding the number ({"steps": 5000}). */
  field?: string;
}

/** bp is a panel whose two values are components; every other known key has one value. */
export const MEASURES: Record<string, Measure> = {
  bp: { category: 'vital-signs', codes: [['85354-9', 'Blood pressure panel with all children optional']], unit: 'mm[Hg]' },
  hr: { category: 'vital-signs', codes: [['8867-4', 'Heart rate']], unit: '/min' },
  rr: { category: 'vital-signs', codes: [['9279-1', 'Respiratory rate']], unit: '/min' },
  osat: {
    category: 'vital-signs',
    codes: [
      ['2708-6', 'Oxygen saturation in Arterial blood'],
      ['59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry'],
    ],
    unit: '%',
  },
  t: { category: 'vital-signs', codes: [['8310-5', 'Body temperature']], unit: 'Cel' },
  wt: { category: 'vital-signs', codes: [['29463-7', 'Body weight']], unit: 'kg' },
  ht: { category: 'vital-signs', codes: [['8302-2', 'Body height']], unit: 'cm' },
  bmi: { category: 'vital-signs', codes: [['39156-5', 'Body mass index (BMI) [Ratio]']], unit: 'kg/m2' },
  bg: { category: 'laboratory', codes: [['2339-0', 'Glucose [Mass/volume] in Blood']], unit: 'mg/dL' },
  pa: { category: 'activity', codes: [['55423-8', 'Number of steps in unspecified time Pedometer']], unit: '{steps}', field: 'steps' },
  nutrition: { category: 'activity', codes: [['9052-2', 'Calorie intake total']], unit: 'kcal', field: 'calories' },
  sleep: { category: 'activity', codes: [['93832-4', 'Sleep duration']], unit: 'h', field: 'time' },
};

/** A self-monitoring glucose reading comes from a glucometer: its own LOINC code. */
export const GLUCOMETER: [string, string] = ['41653-7', 'Glucose [Mass/volume] in Capillary blood by Glucometer'];
export const GLUCOMETER_CONTEXT = 'self_monitoring';

const BP_PARTS: [string, string, string][] = [
  ['systolic', '8480-6', 'Systolic blood pressure'],
  ['diastolic', '8462-4', 'Diastolic blood pressure'],
];

const loinc = ([code, display]: [string, string]): Coding => ({ system: LOINC, code, display });

/** A number from a measurement value: 75, "75", or the named field of {"steps": 75}. */
function numberOf(value: unknown, field?: string): number | undefined {
  const raw = field && typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : value;
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

const quantity = (value: number, unit: string): Quantity => ({ value, unit, system: UCUM, code: unit });

/** code, value or components of the Observation of one measurement; unknown keys keep their key as code text. */
export function measurementParts(key: string, value: unknown, context: string | null): Partial<Observation> & Pick<Observation, 'code'> {
  const measure = MEASURES[key];
  if (!measure) {
    const n = numberOf(value);
    return {
      code: { text: key },
      ...(n !== undefined ? { valueQuantity: { value: n } } : { valueString: typeof value === 'string' ? value : JSON.stringify(value) }),
    };
  }
  const codes = key === 'bg' && context === GLUCOMETER_CONTEXT ? [GLUCOMETER] : measure.codes;
  const code = { coding: codes.map(loinc), text: codes[0][1] };
  const category = [{ coding: [{ system: OBSERVATION_CATEGORY, code: measure.category }] }];
  if (key === 'bp') {
    const component: ObservationComponent[] = BP_PARTS.flatMap(([field, c, display]) => {
      const n = numberOf(value, field);
      return n === undefined ? [] : [{ code: { coding: [loinc([c, display])], text: display }, valueQuantity: quantity(n, 'mm[Hg]') }];
    });
    return { category, code, ...(component.length > 0 ? { component } : { dataAbsentReason: { text: 'unreadable' } }) };
  }
  const n = numberOf(value, measure.field);
  return {
    category,
    code,
    ...(n !== undefined
      ? { valueQuantity: quantity(n, measure.unit) }
      : { valueString: typeof value === 'string' ? value : JSON.stringify(value) }),
  };
}

/** The keys whose Observations carry this LOINC code (both osat codes; bg's glucometer code only in self-monitoring). */
export function keysOfLoinc(code: string): { key: string; context?: string; notContext?: string }[] {
  if (code === GLUCOMETER[0]) return [{ key: 'bg', context: GLUCOMETER_CONTEXT }];
  if (code === '69548-6') return [{ key: 'genetics' }];
  return Object.entries(MEASURES)
    .filter(([, m]) => m.codes.some(([c]) => c === code))
    .map(([key]) => (key === 'bg' ? { key, notContext: GLUCOMETER_CONTEXT } : { key }));
}

/** The keys of each Observation category (the page-level genetics and social Observations included). */
export function keysOfCategory(category: string): string[] {
  const keys = Object.entries(MEASURES)
    .filter(([, m]) => m.category === category)
    .map(([key]) => key);
  if (category === 'laboratory') keys.push('genetics');
  if (category === 'social-history') keys.push('social');
  return keys;
}
