// Marker/MaxItems paging over a list held in memory (versions, aliases, configurations): the
// marker is the key of the last item of the previous page, base64url-encoded.
import { apiError } from '../../errors.js';

export interface Paging {
  readonly marker?: string;
  readonly maxItems: number;
}

/** Lambda answers at most 50 items a page, whatever MaxItems says. */
const MAX_PAGE = 50;

export function parsePaging(query: URLSearchParams): Paging {
  const raw = query.get('MaxItems');
  let maxItems = MAX_PAGE;
  if (raw !== null) {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > 10_000) {
      throw apiError('ValidationException', `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000`);
    }
    maxItems = Math.min(n, MAX_PAGE);
  }
  const marker = query.get('Marker') || undefined;
  return { marker: marker === undefined ? undefined : Buffer.from(marker, 'base64url').toString('utf8'), maxItems };
}

export function pageOf<T>(items: readonly T[], keyOf: (item: T) => string, paging: Paging): { items: T[]; nextMarker?: string } {
  let start = 0;
  if (paging.marker !== undefined) {
    const i = items.findIndex((item) => keyOf(item) === paging.marker);
    if (i < 0) throw apiError('InvalidParameterValueException', 'Invalid Marker: it does not name an item of this list.');
    start = i + 1;
  }
  const page = items.slice(start, start + paging.maxItems);
  const more = start + paging.maxItems < items.length;
  return more ? { items: page, nextMarker: Buffer.from(keyOf(page.at(-1)!), 'utf8').toString('base64url') } : { items: page };
}
