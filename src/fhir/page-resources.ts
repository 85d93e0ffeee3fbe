// Page of life -> Condition, Encounter, Procedure, Immunization, MedicationStatement, DiagnosticReport, FamilyMemberHistory, Observation.
import type {
  CodeableConcept,
  Condition,
  DiagnosticReport,
  Encounter,
  FamilyMemberHistory,
  FhirResource,
  Immunization,
  MedicationStatement,
  Observation,
  ObservationComponent,
  Procedure,
} from 'fhir/r4.js';
import type { PageResourceRow } from '../store/fhir-pages.ts';
import { measurementParts } from './measurements.ts';
import { documentReference } from './documents.ts';
import { base, field, note, pageDate, patientRef } from './page-common.ts';
import { ICD_10, LOINC, OBSERVATION_CATEGORY } from './uris.ts';
import { optional, text } from './values.ts';

const concept = (t: string | undefined): CodeableConcept | undefined => (t ? { text: t } : undefined);
const category = (code: string) => [{ coding: [{ system: OBSERVATION_CATEGORY, code }] }];

function icd10(code: string | undefined, display: string | undefined): CodeableConcept | undefined {
  if (!code && !display) return undefined;
  return { ...(code ? { coding: [{ system: ICD_10, code }] } : {}), ...optional('text', display) };
}

function condition(row: PageResourceRow): Condition {
  const code = icd10(field(row, 'health_condition_code'), field(row, 'health_condition_text') ?? field(row, 'summary'));
  return {
    resourceType: 'Condition',
    ...base(row),
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
    ...optional('code', code),
    subject: patientRef(row),
    ...optional('recordedDate', pageDate(row)),
    ...note(row),
  };
}

function encounter(row: PageResourceRow): Encounter {
  const start = pageDate(row);
  const node = field(row, 'node');
  const summary = concept(field(row, 'summary'));
  const inpatient = row.context === 'hospitalization';
  const reason = icd10(field(row, 'health_condition_code'), field(row, 'health_condition_text'));
  return {
    resourceType: 'Encounter',
    ...base(row),
    status: 'finished',
    class: {
      system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
      code: inpatient ? 'IMP' : 'AMB',
      display: inpatient ? 'inpatient encounter' : 'ambulatory',
    },
    ...(summary ? { type: [summary] } : {}),
    subject: patientRef(row),
    ...(start ? { period: { start } } : {}),
    ...(reason ? { reasonCode: [reason] } : {}),
    ...(node ? { serviceProvider: { display: node } } : {}),
  };
}

function procedure(row: PageResourceRow): Procedure {
  const code = field(row, 'procedure_code');
  const display = field(row, 'procedure_text') ?? field(row, 'summary');
  return {
    resourceType: 'Procedure',
    ...base(row),
    status: 'completed',
    ...(code || display
      ? {
          code: {
            ...(code ? { coding: [{ system: 'http://www.cms.gov/Medicare/Coding/ICD10', code }] } : {}),
            ...optional('text', display),
          },
        }
      : {}),
    subject: patientRef(row),
    ...optional('performedDateTime', pageDate(row)),
    ...note(row),
  };
}

function immunization(row: PageResourceRow): Immunization {
  const date = pageDate(row);
  return {
    resourceType: 'Immunization',
    ...base(row),
    status: 'completed',
    vaccineCode: { text: field(row, 'summary') ?? 'unspecified vaccine' },
    patient: patientRef(row),
    ...(date ? { occurrenceDateTime: date } : { occurrenceString: 'unknown' }),
    ...note(row),
  };
}

function medicationStatement(row: PageResourceRow): MedicationStatement {
  return {
    resourceType: 'MedicationStatement',
    ...base(row),
    status: 'unknown',
    medicationCodeableConcept: { text: field(row, 'summary') ?? 'unspecified medication' },
    subject: patientRef(row),
    ...optional('effectiveDateTime', pageDate(row)),
    ...note(row),
  };
}

function diagnosticReport(row: PageResourceRow): DiagnosticReport {
  const imaging = row.context === 'dx_imaging';
  return {
    resourceType: 'DiagnosticReport',
    ...base(row),
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: imaging ? 'RAD' : 'LAB' }] }],
    code: { text: field(row, 'summary') ?? (imaging ? 'Diagnostic imaging' : 'Laboratory report') },
    subject: patientRef(row),
    ...optional('effectiveDateTime', pageDate(row)),
    ...optional('conclusion', field(row, 'info')),
  };
}

function familyMemberHistory(row: PageResourceRow): FamilyMemberHistory {
  const code = icd10(field(row, 'health_condition_code'), field(row, 'health_condition_text') ?? field(row, 'summary'));
  return {
    resourceType: 'FamilyMemberHistory',
    ...base(row),
    status: 'completed',
    patient: patientRef(row),
    ...optional('date', pageDate(row)),
    relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'FAMMEMB', display: 'family member' }] },
    ...(code ? { condition: [{ code }] } : {}),
    ...note(row),
  };
}

/** The genetics page's variant: MyGNUHealth's genetic_info {gene, rsref, aa_change, ...} or HMIS's gene, natural_variant. */
function geneticComponents(row: PageResourceRow): ObservationComponent[] {
  const info = (typeof row.data?.genetic_info === 'object' && row.data.genetic_info) || {};
  const pick = (...names: string[]) => names.map((n) => text((info as Record<string, unknown>)[n]) ?? field(row, n)).find(Boolean);
  const parts: [string, string, string | undefined][] = [
    ['48018-6', 'Gene studied [ID]', pick('gene')],
    ['81255-2', 'dbSNP [ID]', pick('rsref', 'dbsnp', 'variant')],
    ['48005-3', 'Amino acid change (pHGVS)', pick('aa_change', 'natural_variant', 'protein')],
    ['53037-8', 'Genetic variation clinical significance [Imp]', pick('significance', 'clinical_significance', 'phenotype')],
  ];
  return parts.flatMap(([code, display, value]) =>
    value ? [{ code: { coding: [{ system: LOINC, code, display }], text: display }, valueCodeableConcept: { text: value } }] : [],
  );
}

function observation(row: PageResourceRow): Observation {
  const common = {
    resourceType: 'Observation' as const,
    ...base(row),
    status: 'final' as const,
    subject: patientRef(row),
    ...optional('effectiveDateTime', pageDate(row)),
    ...note(row),
  };
  if (row.key === 'social') {
    return {
      ...common,
      category: category('social-history'),
      code: { text: row.context ? `Social: ${row.context}` : 'Social history' },
      ...optional('valueString', field(row, 'summary')),
    };
  }
  if (row.key === 'genetics') {
    const component = geneticComponents(row);
    return {
      ...common,
      category: category('laboratory'),
      code: { coding: [{ system: LOINC, code: '69548-6', display: 'Genetic variant assessment' }], text: 'Genetic variant assessment' },
      ...(component.length > 0 ? { component } : {}),
    };
  }
  const encounterRef = row.context === 'encounter' ? { encounter: { reference: `Encounter/${row.row_id}` } } : {};
  return { ...common, ...encounterRef, ...measurementParts(row.key ?? '', row.value, row.context) };
}

/** The resource a row of the index stands for; base is the absolute /fhir URL (for documents' links). */
export function renderPageResource(row: PageResourceRow, baseUrl: string): FhirResource {
  switch (row.type) {
    case 'Condition':
      return condition(row);
    case 'Encounter':
      return encounter(row);
    case 'Procedure':
      return procedure(row);
    case 'Immunization':
      return immunization(row);
    case 'MedicationStatement':
      return medicationStatement(row);
    case 'DiagnosticReport':
      return diagnosticReport(row);
    case 'FamilyMemberHistory':
      return familyMemberHistory(row);
    case 'Observation':
      return observation(row);
    default:
      return documentReference(row, baseUrl);
  }
}
