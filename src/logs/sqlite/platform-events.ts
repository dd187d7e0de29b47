// An invocation's START, END and REPORT lines kept in its invocation record instead of as event
// rows (schema.ts, writer.ts; what every store does alike is in ../platform-events.ts). This file
// reads them back from SQLite, as rows shaped like the stored events' (EventRow), in id order: an
// id range (after, before) finds them through the index on START's id alone, every line of an
// invocation lying within PLATFORM_SPAN after its START.
import type Database from 'better-sqlite3';
import type { LogDatabase } from './schema.js';
import { keptLines, LineOrder, PLATFORM_SPAN } from '../platform-events.js';

export { merged, PLATFORM_SPAN } from '../platform-events.js';

/** One event, stored or kept in a record, as the readers see it. */
export interface EventRow {
  readonly id: number;
  readonly group_id: number;
  readonly stream_id: number;
  readonly ts: number;
  readonly ingested: number;
  readonly request: number | null; // requests.id
  readonly request_id: string | null; // set where the reader asked for it (and always here)
  readonly level: string | null;
  readonly message: string;
}

export interface PlatformRange {
  readonly after: number; // exclusive
  readonly before: number; // exclusive
  readonly group?: number;
  readonly streams?: readonly number[];
  readonly newestFirst?: boolean;
}

interface RecordRow {
  seq: number;
  request_id: string;
  version: string;
  group_id: number;
  stream_id: number;
  logged_at: number;
  start_event: number;
  start_ts: number;
  end_event: number;
  end_ts: number;
  report_event: number;
  report_ts: number;
  report: string;
}

const COLUMNS = `i.id AS seq, r.request_id, i.version, i.group_id, i.stream_id, i.logged_at, i.start_event, i.start_ts,
                 i.end_event, i.end_ts, i.report_event, i.report_ts, i.report`;

export class PlatformEvents {
  private readonly ranges = new Map<string, Database.Statement>();
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: LogDatabase) {
    this.s = statements(db);
  }

  /** The kept lines with ids in (after, before), of a group (and some of its streams), in id order. */
  *range(q: PlatformRange): Generator<EventRow, void, undefined> {
    const desc = q.newestFirst === true;
    const stmt = this.statement(q.group !== undefined, q.streams !== undefined, desc);
    const params = { lo: q.after - PLATFORM_SPAN, after: q.after, before: q.before, group: q.group ?? 0, streams: JSON.stringify(q.streams ?? []) };
    const order = new LineOrder<EventRow>(q.after, q.before, desc);
    for (const r of stmt.iterate(params) as IterableIterator<RecordRow>) {
      yield* order.ready(r.start_event);
      order.add(lines(r));
    }
    yield* order.rest();
  }

  /** The kept lines of one request (requests.id), if its group still exists. */
  ofRequest(seq: number): EventRow[] {
    const r = this.s.ofRequest.get(seq) as RecordRow | undefined;
    return r ? lines(r) : [];
  }

  /** The first kept line with an id ≥ x and < before. */
  firstAtOrAfter(x: number, before: number): EventRow | undefined {
    for (const e of this.range({ after: x - 1, before })) return e;
    return undefined;
  }

  /** The first START at or after id x: START ids and times both rise along the index. */
  startAtOrAfter(x: number): { id: number; ts: number } | undefined {
    return this.s.startAt.get(x) as { id: number; ts: number } | undefined;
  }

  /** The last START before id x. */
  startBefore(x: number): number | null {
    return this.s.startBefore.get(x) as number | null;
  }

  /** The lowest and highest ids of kept lines (null when there are none), and the newest one's time. */
  bounds(): { lo: number | null; hi: number | null; hiTs: number | null } {
    const lo = this.s.lowest.get() as number | null;
    if (lo === null) return { lo: null, hi: null, hiTs: null };
    const top = this.s.highest.get({ span: PLATFORM_SPAN }) as { hi: number; ts: number };
    return { lo, hi: top.hi, hiTs: top.ts };
  }

  private statement(group: boolean, streams: boolean, desc: boolean): Database.Statement {
    const k = `${group}/${streams}/${desc}`;
    let stmt = this.ranges.get(k);
    if (stmt) return stmt;
    const where = ['i.start_event > @lo', 'i.start_event < @before', 'i.report_event > @after'];
    if (group) where.push('i.group_id = @group');
    if (streams) where.push('i.stream_id IN (SELECT value FROM json_each(@streams))');
    // A group's own index when reading one group (the others' lines are not walked), else all by id.
    const index = group ? 'invocations_group_events' : 'invocations_events';
    stmt = this.db.prepare(`SELECT ${COLUMNS} FROM invocations i INDEXED BY ${index} JOIN requests r ON r.id = i.id
                            WHERE ${where.join(' AND ')} ORDER BY i.start_event ${desc ? 'DESC' : ''}`);
    this.ranges.set(k, stmt);
    return stmt;
  }
}

function lines(r: RecordRow): EventRow[] {
  const base = { group_id: r.group_id, stream_id: r.stream_id, ingested: r.logged_at, request: r.seq, request_id: r.request_id, level: 'PLATFORM' };
  return keptLines(r).map((l) => ({ ...base, ...l }));
}

function statements(db: LogDatabase) {
  return {
    // Joined with the groups so that the lines of a deleted group stay invisible, as its events do.
    ofRequest: db.prepare(`SELECT ${COLUMNS} FROM invocations i JOIN requests r ON r.id = i.id JOIN log_groups g ON g.id = i.group_id
                           WHERE i.id = ? AND i.start_event IS NOT NULL`),
    startAt: db.prepare('SELECT start_event AS id, start_ts AS ts FROM invocations WHERE start_event >= ? ORDER BY start_event LIMIT 1'),
    startBefore: db.prepare('SELECT max(start_event) FROM invocations WHERE start_event < ?').pluck(),
    lowest: db.prepare('SELECT min(start_event) FROM invocations WHERE start_event IS NOT NULL').pluck(),
    highest: db.prepare(`SELECT max(report_event) AS hi, max(report_ts) AS ts FROM invocations
                         WHERE start_event > (SELECT max(start_event) FROM invocations WHERE start_event IS NOT NULL) - @span`),
  };
}
