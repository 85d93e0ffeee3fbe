// Every resource type the facade serves, by name: routes and the CapabilityStatement read this one list.
import { patientType } from './patient-type.ts';
import type { FhirType } from './types.ts';

export const FHIR_TYPES: ReadonlyMap<string, FhirType> = new Map([patientType].map((t) => [t.type, t]));
