// Events per time bin without reading them (LogReader.countEvents): timestamps never decrease
// along event ids, so a bin is an id range, found through the time index (time-index.ts); its
// stored events are counted in the group's index alone (no row is read), its platform lines kept
// in records through the records' index by group. Only non-empty bins are visited: after a bin,
// the next event of the group says where the next one starts. A read stops after MAX_COUNT_MS and
// says where to go on; a very full bin is counted CHUNK ids at a time so that it cannot run long.
import type Database from 'better-sqlite3';
import type { LogDatabase } from './schema.js';
import type { EventReader } from './event-reader.js';
import { PLATFORM_SPAN, PlatformEvents } from './platform-events.js';

export interface CountQuery {
  readonly groupId: number;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly binMs: number;
  /** Continue after this event id (a previous page's `next`). */
  readonly afterId?: number;
}

const MAX_COUNT_MS = 50;
const CHUNK = 1_000_000;

export class EventCounter {
  private readonly platform: PlatformEvents;
  private readonly s: ReturnType<typeof statements>;

  constructor(db: LogDatabase, private readonly events: EventReader) {
    this.platform = new PlatformEvents(db);
    this.s = statements(db);
  }

  count(q: CountQuery): { bins: { start: number; count: number }[]; next: number | undefined } {
    const started = performance.now();
    const range = this.events.idRange(q.startTime, q.endTime);
    const before = Math.min(range.before, this.events.maxId() + 1);
    let from = Math.max(range.after, q.afterId ?? 0) + 1; // inclusive
    const bins: { start: number; count: number }[] = [];
    while (from < before) {
      if (performance.now() - started > MAX_COUNT_MS) return { bins, next: from - 1 };
      const first = this.firstAt(q.groupId, from, before);
      if (!first) break;
      const start = Math.floor(first.ts / q.binMs) * q.binMs;
      const to = Math.min(before, this.events.time.firstIdAtOrAfter(start + q.binMs), first.id + CHUNK);
      const n = this.counted(q.groupId, first.id, to);
      const last = bins[bins.length - 1];
      if (last?.start === start) bins[bins.length - 1] = { start, count: last.count + n };
      else if (n > 0) bins.push({ start, count: n });
      from = to;
    }
    return { bins, next: undefined };
  }

  /** The group's first event, stored or kept, with an id in [from, before). */
  private firstAt(groupId: number, from: number, before: number): { id: number; ts: number } | undefined {
    const stored = this.s.firstStored.get(groupId, from, before) as { id: number; ts: number } | undefined;
    let kept: { id: number; ts: number } | undefined;
    for (const e of this.platform.range({ after: from - 1, before: stored?.id ?? before, group: groupId })) {
      kept = { id: e.id, ts: e.ts };
      break;
    }
    return kept && (!stored || kept.id < stored.id) ? kept : stored;
  }

  /** The group's events, stored and kept, with ids in [from, to). */
  private counted(groupId: number, from: number, to: number): number {
    const stored = this.s.stored.get(groupId, from, to) as number;
    const kept = this.s.kept.get({ group: groupId, from, to, lo: from - PLATFORM_SPAN }) as number;
    return stored + kept;
  }
}

function statements(db: LogDatabase): Record<'firstStored' | 'stored' | 'kept', Database.Statement> {
  return {
    firstStored: db.prepare('SELECT id, ts FROM log_events INDEXED BY log_events_group WHERE group_id = ? AND id >= ? AND id < ? ORDER BY id LIMIT 1'),
    stored: db.prepare('SELECT count(*) FROM log_events INDEXED BY log_events_group WHERE group_id = ? AND id >= ? AND id < ?').pluck(),
    // START in range, and END and REPORT in range (they lie within PLATFORM_SPAN after their START).
    kept: db.prepare(`SELECT
        (SELECT count(*) FROM invocations INDEXED BY invocations_group_events WHERE group_id = @group AND start_event >= @from AND start_event < @to)
      + (SELECT count(*) FROM invocations INDEXED BY invocations_group_events
           WHERE group_id = @group AND start_event >= @lo AND start_event < @to AND end_event >= @from AND end_event < @to)
      + (SELECT count(*) FROM invocations INDEXED BY invocations_group_events
           WHERE group_id = @group AND start_event >= @lo AND start_event < @to AND report_event >= @from AND report_event < @to)`).pluck(),
  };
}
