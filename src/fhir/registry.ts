// Every resource type the facade serves, by name: routes and the CapabilityStatement read this one list.
import { organizationType } from './organization.ts';
import { pageTypes } from './page-types.ts';
import { patientType } from './patient-type.ts';
import type { FhirType } from './types.ts';

export const FHIR_TYPES: ReadonlyMap<string, FhirType> = new Map([patientType, ...pageTypes, organizationType].map((t) => [t.type, t]));
