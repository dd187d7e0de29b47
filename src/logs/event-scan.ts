// What a store's event scanner is asked and answers (FilterLogEvents and the investigation API
// under their paging tokens), in the store's own ids: the same for every store.
import type { CompiledPattern } from './filter-pattern.js';
import type { StoredEvent } from './views.js';

export interface ScanQuery {
  readonly groupId: number;
  readonly streamIds?: readonly number[];
  readonly startTime?: number; // inclusive
  readonly endTime?: number; // exclusive
  readonly pattern?: CompiledPattern;
  readonly levels?: readonly string[];
  /** Continue after this event id (a previous page's `next`). */
  readonly afterId?: number;
  readonly limit: number;
}

export interface ScanResult {
  readonly events: StoredEvent[];
  /** The event id the next page continues after; undefined when everything was read. */
  readonly next: number | undefined;
  /** The event id this read got up to: a follower polls for new events after it. */
  readonly position: number;
}
