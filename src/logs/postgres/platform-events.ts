// An invocation's START, END and REPORT lines kept in its invocation record (schema.ts (4), what
// every store does alike: ../platform-events.ts), read back from PostgreSQL as rows shaped like the
// stored events' (EventRow), for the readers to merge with those by id. An id range (after, before)
// finds them through the index on START's id alone (or a group's own index of it): every line of
// an invocation lies within PLATFORM_SPAN after its START.
import type { Postgres } from '../../database/index.js';
import { keptLines, LineOrder, PLATFORM_SPAN, type KeptColumns } from '../platform-events.js';
import type { EventRow } from './events.js';

export interface PgPlatformRange {
  readonly after: number; // exclusive
  readonly before: number; // exclusive
  /** One group's lines, or those of any of several groups. */
  readonly group?: number | readonly number[];
  readonly streams?: readonly number[];
  readonly newestFirst?: boolean;
}

/** A candidate block of the full-text index (writer.ts): events first_id..last_id of a group. */
export interface BlockSpan {
  readonly first_id: number;
  readonly last_id: number;
  readonly group_id: number;
}

type RecordRow = KeptColumns & { group_id: number; stream_id: number; logged_at: number; name: string | null; env_id: string | null };

const COLUMNS = `i.request_id, i.version, i.group_id, i.stream_id, i.logged_at, i.start_event, i.start_ts, i.end_event, i.end_ts,
                 i.report_event, i.report_ts, i.report, s.name, s.env_id`;
/**
 * Records per query: more than PLATFORM_SPAN, so that a page of them always settles some lines
 * (their STARTs span at least this many ids, their other lines at most PLATFORM_SPAN more).
 */
const CHUNK = 1024;

export class PgPlatformEvents {
  constructor(private readonly db: Postgres) {}

  /** The kept lines with ids in (after, before), of some groups and streams, in id order (or newest first). */
  async *range(q: PgPlatformRange): AsyncGenerator<EventRow, void, undefined> {
    const desc = q.newestFirst === true;
    const params: unknown[] = [q.after - PLATFORM_SPAN, q.before, q.after];
    const where = ['i.start_event > $1', 'i.start_event < $2', 'i.report_event > $3'];
    if (typeof q.group === 'number') where.push(`i.group_id = $${params.push(q.group)}`);
    else if (q.group !== undefined) where.push(`i.group_id = ANY($${params.push(q.group)}::bigint[])`);
    if (q.streams !== undefined) where.push(`i.stream_id = ANY($${params.push(q.streams)}::bigint[])`);
    const sql = `SELECT ${COLUMNS} FROM log_invocations i LEFT JOIN log_streams s ON s.id = i.stream_id
                 WHERE ${where.join(' AND ')} ORDER BY i.start_event ${desc ? 'DESC' : ''} LIMIT ${CHUNK}`;
    const order = new LineOrder<EventRow>(q.after, q.before, desc);
    for (;;) {
      const rows = await this.db.query<RecordRow>(sql, params);
      for (const r of rows) {
        yield* order.ready(r.start_event);
        order.add(lines(r));
      }
      if (rows.length < CHUNK) break;
      params[desc ? 1 : 0] = rows[rows.length - 1]!.start_event; // records from the next START on
    }
    yield* order.rest();
  }

  /** The kept lines of one request after `afterId`, if its group still exists. */
  async ofRequest(requestId: string, afterId: number): Promise<EventRow[]> {
    const rows = await this.db.query<RecordRow>(
      `SELECT ${COLUMNS} FROM log_invocations i JOIN log_groups g ON g.id = i.group_id LEFT JOIN log_streams s ON s.id = i.stream_id
       WHERE i.request_id = $1 AND i.start_event IS NOT NULL`, [requestId]);
    return rows.flatMap(lines).filter((e) => e.id > afterId);
  }

  /** The kept lines inside some blocks (of their groups) and within (after, before), optionally of some streams, in id order. */
  async inBlocks(blocks: readonly BlockSpan[], after: number, before: number, streams?: readonly number[]): Promise<EventRow[]> {
    if (blocks.length === 0) return [];
    // A range scan per block (LATERAL; OFFSET 0 keeps it one: events.ts says why).
    const rows = await this.db.query<RecordRow>(
      `SELECT ${COLUMNS} FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS b(f, l, g)
         CROSS JOIN LATERAL (SELECT * FROM log_invocations i WHERE i.group_id = b.g AND i.start_event > b.f - ${PLATFORM_SPAN}
                             AND i.start_event <= b.l AND i.report_event >= b.f OFFSET 0) i
         LEFT JOIN log_streams s ON s.id = i.stream_id`,
      [blocks.map((b) => b.first_id), blocks.map((b) => b.last_id), blocks.map((b) => b.group_id)]);
    const seen = new Set<number>();
    const found: EventRow[] = [];
    for (const r of rows) {
      if (seen.has(r.start_event) || (streams !== undefined && !streams.includes(r.stream_id))) continue;
      seen.add(r.start_event);
      for (const e of lines(r)) {
        if (e.id > after && e.id < before && blocks.some((b) => b.group_id === r.group_id && b.first_id <= e.id && e.id <= b.last_id)) found.push(e);
      }
    }
    return found.sort((a, b) => a.id - b.id);
  }

  /** The time of the first kept line with an id ≥ id (null when there is none). */
  async tsAtOrAfter(id: number): Promise<number | null> {
    // Records with START from id - PLATFORM_SPAN on: those before id are at most PLATFORM_SPAN, so
    // the first record from id on is within the limit.
    const [row] = await this.db.query<{ ts: number | null }>(
      `SELECT min(x.ts) AS ts FROM (SELECT * FROM log_invocations WHERE start_event > $1::bigint - ${PLATFORM_SPAN}
                                    ORDER BY start_event LIMIT ${PLATFORM_SPAN + 1}) i
         CROSS JOIN LATERAL (VALUES (i.start_event, i.start_ts), (i.end_event, i.end_ts), (i.report_event, i.report_ts)) AS x(id, ts)
       WHERE x.id >= $1`, [id]);
    return row?.ts ?? null;
  }
}

function lines(r: RecordRow): EventRow[] {
  return keptLines(r).map((l) => ({
    id: l.id, ts: l.ts, ingested: r.logged_at, stream_id: r.stream_id, name: r.name ?? '', env_id: r.env_id,
    request_id: r.request_id, level: 'PLATFORM', message: l.message, message_bytes: null,
  }));
}
