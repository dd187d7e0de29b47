// Time → event id. Timestamps never decrease along event ids (writer.ts keeps it so), so the
// first event at or after a time is found by bisecting ids: ~20 primary-key probes, and no index
// on time to maintain on every insert.
import type Database from 'better-sqlite3';
import type { LogDatabase } from './schema.js';

export class TimeIndex {
  private readonly probe: Database.Statement<[number], { id: number; ts: number }>;
  private readonly bounds: Database.Statement<[], { lo: number | null; hi: number | null }>;

  constructor(db: LogDatabase) {
    this.probe = db.prepare('SELECT id, ts FROM log_events WHERE id >= ? ORDER BY id LIMIT 1');
    // Two subqueries: min() and max() together in one SELECT make SQLite scan the whole table.
    this.bounds = db.prepare('SELECT (SELECT min(id) FROM log_events) AS lo, (SELECT max(id) FROM log_events) AS hi');
  }

  /** The id of the first event with timestamp ≥ ts; one past the last event when there is none. */
  firstIdAtOrAfter(ts: number): number {
    const { lo, hi } = this.bounds.get()!;
    if (lo === null || hi === null) return 1;
    // P(x): the first event at or after id x is at or after ts (or there is none). P is monotonic
    // in x; at the smallest x where it holds, that first event is the answer.
    let low = lo;
    let high = hi + 1;
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      const row = this.probe.get(mid);
      if (!row || row.ts >= ts) high = mid;
      else low = row.id + 1;
    }
    return this.probe.get(low)?.id ?? hi + 1;
  }
}
