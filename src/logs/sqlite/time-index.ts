// Time → event id. Timestamps never decrease along event ids (writer.ts keeps it so, for stored
// events and the platform lines kept in records alike), so the first event at or after a time is
// found by bisecting ids — no index on time to maintain on every insert. Stored events and kept
// STARTs are bisected each (~20 primary-key or index probes); a kept END or REPORT can come
// earlier only after the last stored event and the last START before the answer (both earlier
// than ts), and within PLATFORM_SPAN of a START: those few records are read.
import type Database from 'better-sqlite3';
import type { LogDatabase } from './schema.js';
import type { PlatformEvents } from './platform-events.js';

interface At {
  id: number;
  ts: number;
}

export class TimeIndex {
  private readonly probe: Database.Statement<[number], At>;
  private readonly bounds: Database.Statement<[], { lo: number | null; hi: number | null }>;
  private readonly before: Database.Statement<[number], number | null>;

  constructor(db: LogDatabase, private readonly platform: PlatformEvents) {
    this.probe = db.prepare('SELECT id, ts FROM log_events WHERE id >= ? ORDER BY id LIMIT 1');
    // Two subqueries: min() and max() together in one SELECT make SQLite scan the whole table.
    this.bounds = db.prepare('SELECT (SELECT min(id) FROM log_events) AS lo, (SELECT max(id) FROM log_events) AS hi');
    this.before = db.prepare('SELECT max(id) FROM log_events WHERE id < ?').pluck() as Database.Statement<[number], number | null>;
  }

  /** The id of the first event with timestamp ≥ ts; one past the last event when there is none. */
  firstIdAtOrAfter(ts: number): number {
    const stored = this.bounds.get()!;
    const kept = this.platform.bounds();
    const end = Math.max(stored.hi ?? 0, kept.hi ?? 0) + 1;
    let answer = Math.min(
      bisect((x) => this.probe.get(x), stored.lo, stored.hi, ts) ?? end,
      bisect((x) => this.platform.startAtOrAfter(x), kept.lo, kept.hi, ts) ?? end,
    );
    if (kept.lo !== null) {
      const settled = Math.max(this.before.get(answer) ?? 0, this.platform.startBefore(answer) ?? 0);
      for (const e of this.platform.range({ after: settled, before: answer })) {
        if (e.ts >= ts) {
          answer = e.id;
          break;
        }
      }
    }
    return answer;
  }
}

/** The first id whose entry (probe(x): the first at or after x) is stamped ≥ ts; undefined for none. */
function bisect(probe: (x: number) => At | undefined, lo: number | null, hi: number | null, ts: number): number | undefined {
  if (lo === null || hi === null) return undefined;
  // P(x): the first entry at or after x is at or after ts (or there is none). P is monotonic in x.
  let low = lo;
  let high = hi + 1;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    const at = probe(mid);
    if (!at || at.ts >= ts) high = mid;
    else low = at.id + 1;
  }
  return probe(low)?.id;
}
