// An invocation's START, END and REPORT lines kept in its invocation record instead of as event
// rows (schema.ts, writer.ts): the writer gives them event ids and times in the sequence exactly as
// if they were rows, and the readers merge them with the stored events by id. This file reads them
// back, as rows shaped like the stored events' (EventRow), in id order.
//
// The writer only keeps them in the record when all three are in one write batch and lie within
// PLATFORM_SPAN ids of each other, so an id range (after, before) finds them through the index on
// START's id alone: every line of an invocation lies within PLATFORM_SPAN after its START.
import type Database from 'better-sqlite3';
import type { LogDatabase } from './schema.js';
import { endLine, startLine } from '../platform-lines.js';

/** The most ids an invocation's START..REPORT may span for the three to be kept in its record. */
export const PLATFORM_SPAN = 512;

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
    // Records come by START id; a record's other lines lie up to PLATFORM_SPAN later, so a line is
    // certain to be next once the records still to come cannot hold an earlier one.
    const pending: EventRow[] = []; // in the order of the read
    const ahead = (a: EventRow, b: EventRow) => (desc ? b.id - a.id : a.id - b.id);
    for (const r of stmt.iterate(params) as IterableIterator<RecordRow>) {
      const bound = desc ? r.start_event + PLATFORM_SPAN : r.start_event;
      while (pending.length > 0 && (desc ? pending[0]!.id > bound : pending[0]!.id < bound)) yield pending.shift()!;
      for (const e of lines(r)) {
        if (e.id <= q.after || e.id >= q.before) continue;
        let at = pending.length;
        while (at > 0 && ahead(e, pending[at - 1]!) < 0) at--;
        pending.splice(at, 0, e);
      }
    }
    yield* pending;
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

/** Two id-ordered event sequences as one (both ascending, or both newest first). */
export function* merged<T extends { readonly id: number }>(a: Iterator<T>, b: Iterator<T>, newestFirst = false): Generator<T, void, undefined> {
  try {
    let x = a.next();
    let y = b.next();
    while (!x.done && !y.done) {
      if (newestFirst ? x.value.id > y.value.id : x.value.id < y.value.id) {
        yield x.value;
        x = a.next();
      } else {
        yield y.value;
        y = b.next();
      }
    }
    for (; !x.done; x = a.next()) yield x.value;
    for (; !y.done; y = b.next()) yield y.value;
  } finally {
    a.return?.();
    b.return?.();
  }
}

function lines(r: RecordRow): EventRow[] {
  const base = { group_id: r.group_id, stream_id: r.stream_id, ingested: r.logged_at, request: r.seq, request_id: r.request_id, level: 'PLATFORM' };
  return [
    { ...base, id: r.start_event, ts: r.start_ts, message: startLine(r.request_id, r.version) },
    { ...base, id: r.end_event, ts: r.end_ts, message: endLine(r.request_id) },
    { ...base, id: r.report_event, ts: r.report_ts, message: r.report },
  ];
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
