// Search results as a Bundle of type searchset: total, absolute fullUrls, and self/next/previous links.
import type { Bundle, BundleLink, FhirResource } from 'fhir/r4.js';
import { canonicalQuery, type SearchRequest } from './search-params.ts';

export interface PageOfResults {
  total: number;
  /** The resources of this page, in id order, at most search.count of them. */
  resources: FhirResource[];
  /** Whether a page comes before / after this one. */
  hasPrevious: boolean;
  hasNext: boolean;
}

/**
 * Keyset paging: `next` continues after this page's last id and `previous` ends before its
 * first, so following either never repeats or skips a resource, even while others are added.
 */
export function searchBundle(base: string, type: string, search: SearchRequest, page: PageOfResults): Bundle {
  const url = (p: { after?: string; before?: string }) => `${base}/${type}?${canonicalQuery(search, p)}`;
  const first = page.resources[0]?.id;
  const last = page.resources[page.resources.length - 1]?.id;
  const link: BundleLink[] = [{ relation: 'self', url: url({ after: search.after, before: search.before }) }];
  if (page.hasNext && last !== undefined) link.push({ relation: 'next', url: url({ after: last }) });
  if (page.hasPrevious && first !== undefined) link.push({ relation: 'previous', url: url({ before: first }) });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: page.total,
    link,
    ...(page.resources.length > 0
      ? {
          entry: page.resources.map((resource) => ({
            fullUrl: `${base}/${resource.resourceType}/${resource.id ?? ''}`,
            resource,
            search: { mode: 'match' as const },
          })),
        }
      : {}),
  };
}
