// The one pattern every new record's id follows (people, pages, documents, domiciliary units, institutions).
import { badRequest } from '../errors.ts';

/**
 * 1 to 100 printable ASCII characters that need no escaping in a URL path: letters, digits and
 * `. _ ~ : @ + -`, starting with a letter or a digit. Federation account ids (ESPGNU777ORG),
 * the UUIDs the clients give pages and documents, and institution codes all fit. Records
 * already stored under other ids (from an existing database or an import) stay readable.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._~:@+-]{0,99}$/;
export const ID_RULE = 'an id is 1 to 100 characters: letters, digits and . _ ~ : @ + -, starting with a letter or a digit';

/** Refuses with 400 an id a new record may not have. */
export function checkNewId(id: string, what: string): void {
  if (!ID_PATTERN.test(id)) throw badRequest(`Invalid ${what} ID: ${ID_RULE}`);
}
