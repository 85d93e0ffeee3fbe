// The URIs the facade names: code systems of HL7 and LOINC, and this project's own identifier system and extensions.

/** Federation account ids (people.id) as Patient.identifier. */
export const FEDERATION_ACCOUNT = 'https://www.gnuhealth.org/fhir/sid/federation-account';
/** This project's extensions (no core element holds these person fields). */
export const EXTENSION = (name: string) => `https://www.gnuhealth.org/fhir/StructureDefinition/${name}`;

export const V3_MARITAL_STATUS = 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus';
export const V3_NULL_FLAVOR = 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor';
export const ADMINISTRATIVE_GENDER = 'http://hl7.org/fhir/administrative-gender';
export const BCP_47 = 'urn:ietf:bcp:47';
export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const ICD_10 = 'http://hl7.org/fhir/sid/icd-10';
export const URI_IDENTIFIER = 'urn:ietf:rfc:3986';
/** Pages of life whose id is not a UUID, as identifiers. */
export const PAGE_OF_LIFE = 'https://www.gnuhealth.org/fhir/sid/page-of-life';
/** The federation's SHA-512 of a personal document (FHIR's Attachment.hash is SHA-1). */
export const SHA_512 = 'https://www.gnuhealth.org/fhir/sid/sha512';
/** A page's relevance (important, normal, ...) as a meta.tag. */
export const RELEVANCE = 'https://www.gnuhealth.org/fhir/CodeSystem/relevance';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
