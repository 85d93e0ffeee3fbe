// DocumentReference: from a page of life (biographical, birth, death, other pages) and from a personal document.
import type { DocumentReference } from 'fhir/r4.js';
import mime from 'mime-types';
import type { PageResourceRow } from '../store/fhir-pages.ts';
import { fhirDateTime } from './dates.ts';
import { base, field, meta, patientRef, rowIdentifier } from './page-common.ts';
import { SHA_512 } from './uris.ts';
import { optional, text } from './values.ts';

/** FHIR's `instant` needs seconds and a zone: a date alone is not one. */
function instant(value: unknown): string | undefined {
  const t = fhirDateTime(value);
  return t && /T\d{2}:\d{2}:\d{2}/.test(t) ? t : undefined;
}

function fromPage(row: PageResourceRow): DocumentReference {
  const summary = field(row, 'summary');
  const info = field(row, 'info');
  const node = field(row, 'node');
  const kind = row.context ?? text(row.data?.page_type) ?? text(row.data?.domain);
  return {
    resourceType: 'DocumentReference',
    ...base(row),
    status: 'current',
    ...(kind ? { type: { text: kind } } : {}),
    subject: patientRef(row),
    ...optional('date', instant(row.data?.page_date)),
    ...(node ? { custodian: { display: node } } : {}),
    ...optional('description', summary),
    content: [
      {
        attachment: info
          ? { contentType: 'text/plain; charset=utf-8', data: Buffer.from(info, 'utf8').toString('base64'), ...optional('title', summary) }
          : { title: summary ?? 'Page of life' },
      },
    ],
  };
}

/** A personal document: its bytes stay behind the legacy route, which the same credentials and roles.cfg guard. */
function fromDocument(row: PageResourceRow, baseUrl: string): DocumentReference {
  const name = field(row, 'name') ?? field(row, 'file');
  const hash = field(row, 'hash');
  const type = name ? mime.lookup(name) : false;
  const fileUrl = `${baseUrl.replace(/\/fhir$/, '')}/personal_docs/${row.book ?? ''}/${row.pol ?? ''}/${row.route_id}`;
  const related = row.related_type && row.related_id ? { reference: `${row.related_type}/${row.related_id}` } : undefined;
  return {
    resourceType: 'DocumentReference',
    id: row.id,
    meta: meta(row),
    identifier: [
      rowIdentifier(row.route_id),
      ...(hash && /^[0-9a-f]{128}$/i.test(hash) ? [{ system: SHA_512, value: hash.toLowerCase() }] : []),
    ],
    status: 'current',
    ...(row.context ? { category: [{ text: row.context }] } : {}),
    subject: patientRef(row),
    ...optional('date', instant(row.data?.date ?? (row.data?.creation_info as Record<string, unknown> | undefined)?.timestamp)),
    ...optional('description', field(row, 'description')),
    content: [
      {
        attachment: {
          ...(type ? { contentType: type } : {}),
          url: fileUrl,
          ...(row.size !== null ? { size: Number(row.size) } : {}),
          ...optional('title', name),
        },
      },
    ],
    ...(related ? { context: { related: [related] } } : {}),
  };
}

export function documentReference(row: PageResourceRow, baseUrl: string): DocumentReference {
  return row.source === 'doc' ? fromDocument(row, baseUrl) : fromPage(row);
}
