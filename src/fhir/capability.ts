// GET /fhir/metadata: the CapabilityStatement, built from the types the facade serves, so it tells the truth.
import type { CapabilityStatement } from 'fhir/r4.js';
import type { FhirType } from './types.ts';

export function capabilityStatement(base: string, version: string, types: readonly FhirType[], date: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    publisher: 'GNU Health',
    kind: 'instance',
    software: { name: 'Thalamus', version },
    implementation: { description: 'Thalamus FHIR R4 facade: read and search of the federation person index and Books of Life', url: base },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        documentation: 'Read-only. HTTP Basic authentication with the federation account and roles.cfg, as the rest of Thalamus.',
        security: {
          cors: true,
          service: [
            {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'Basic', display: 'Basic' }],
            },
          ],
          description: 'HTTP Basic: username = federation account id. Every endpoint but this statement needs it.',
        },
        // Beside each type's own parameters: _summary=count (the total alone), _count and _sort.
        searchParam: [
          { name: '_summary', type: 'token', documentation: 'count: the total alone, no entries; false: the full resources' },
          { name: '_count', type: 'number', documentation: 'Entries per page (default 20, at most 100; 0: the total alone)' },
          { name: '_sort', type: 'special', documentation: 'date or -date for the resources of pages (then by id); by id otherwise' },
        ],
        resource: types.map((t) => ({
          type: t.type,
          documentation: t.documentation,
          interaction: [{ code: 'read' as const }, { code: 'vread' as const }, { code: 'search-type' as const }],
          // vread answers the current version only: no history is kept (readHistory false).
          versioning: 'versioned' as const,
          readHistory: false,
          updateCreate: false,
          conditionalRead: 'not-supported' as const,
          searchParam: t.params.map((p) => ({ name: p.name, type: p.type, documentation: p.documentation })),
        })),
      },
    ],
  };
}
