// Rendered Books of Life kept in memory, served only while the book's version is still the one stored with them.
import { LRUCache } from 'lru-cache';

/**
 * The collections a book is rendered as: the whole book (/pols, /events), its encounters, or
 * a FHIR searchset of its pages' resources (`fhir <base URL> <type>?<canonical query>`).
 */
export type BookView = 'book' | 'encounters' | `fhir ${string}`;

interface Entry {
  version: string;
  body: string;
}

/**
 * Validation, not expiry, keeps it correct: the version (migration 003) changes in the same
 * transaction as any change to the book's pages, whoever writes, and each request reads it
 * with the caller's credentials. An entry stored under a version holds a rendering read
 * after that version was, so it is never older than its version; a newer one is harmless.
 * The lifetime only bounds memory held for books nobody reads.
 */
export class BookCache {
  private readonly entries: LRUCache<string, Entry> | null;

  constructor(maxBytes: number, ttlMs = 10 * 60_000) {
    this.entries =
      maxBytes > 0
        ? new LRUCache<string, Entry>({
            maxSize: maxBytes,
            // No single book may take more than an eighth of the room.
            maxEntrySize: Math.max(1, Math.floor(maxBytes / 8)),
            sizeCalculation: (entry) => entry.body.length * 2 + 64,
            ttl: ttlMs,
          })
        : null;
  }

  /** The book as rendered at `version`, or undefined when it is not here or has changed since. */
  get(book: string, view: BookView, version: string): string | undefined {
    const entry = this.entries?.get(`${view}\0${book}`);
    return entry?.version === version ? entry.body : undefined;
  }

  set(book: string, view: BookView, version: string, body: string): void {
    this.entries?.set(`${view}\0${book}`, { version, body });
  }
}
