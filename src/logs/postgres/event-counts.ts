// Events per time bin (LogReader.countEvents) on PostgreSQL: ids and timestamps rise together, so
// the time range is an id range (events.ts idRange), and the group's events in it are counted per
// bin by the (group_id, id) index, CHUNK ids per statement, and the platform lines kept in its
// invocation records (platform-events.ts) through the records' index by group, so that they count
// as FilterLogEvents returns them. A read stops after MAX_COUNT_MS and says where to go on; a bin
// split over two pages is summed by the caller.
import type { Postgres } from '../../database/index.js';
import type { PgEventReader } from './events.js';
import { PLATFORM_SPAN } from '../platform-events.js';

const MAX_COUNT_MS = 100;
const CHUNK = 250_000;

export interface PgCountQuery {
  readonly groupId: number;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly binMs: number;
  /** Continue after this event id (a previous page's `next`). */
  readonly afterId?: number;
}

export class PgEventCounter {
  constructor(private readonly db: Postgres, private readonly events: PgEventReader) {}

  async count(q: PgCountQuery): Promise<{ bins: { start: number; count: number }[]; next: number | undefined }> {
    const started = performance.now();
    const range = await this.events.idRange(q.startTime, q.endTime);
    const before = Math.min(range.before, (await this.events.newestId()) + 1);
    let from = Math.max(range.after, q.afterId ?? 0) + 1; // inclusive
    const bins = new Map<number, number>();
    while (from < before) {
      const to = Math.min(before, from + CHUNK);
      const rows = await this.db.query<{ start: number; n: number }>(
        `SELECT start, sum(n)::bigint AS n FROM (
           SELECT (ts / $4::bigint) * $4::bigint AS start, count(*) AS n FROM log_events
            WHERE group_id = $1 AND id >= $2 AND id < $3 GROUP BY 1
           UNION ALL
           SELECT (x.ts / $4::bigint) * $4::bigint, count(*) FROM log_invocations i
             CROSS JOIN LATERAL (VALUES (i.start_event, i.start_ts), (i.end_event, i.end_ts), (i.report_event, i.report_ts)) AS x(id, ts)
            WHERE i.group_id = $1 AND i.start_event >= $2::bigint - ${PLATFORM_SPAN} AND i.start_event < $3 AND x.id >= $2 AND x.id < $3
            GROUP BY 1) c
         GROUP BY 1 ORDER BY 1`,
        [q.groupId, from, to, q.binMs]);
      for (const r of rows) bins.set(Number(r.start), (bins.get(Number(r.start)) ?? 0) + Number(r.n));
      from = to;
      if (from < before && performance.now() - started > MAX_COUNT_MS) return { bins: binList(bins), next: from - 1 };
    }
    return { bins: binList(bins), next: undefined };
  }
}

function binList(bins: Map<number, number>): { start: number; count: number }[] {
  return [...bins].sort((a, b) => a[0] - b[0]).map(([start, count]) => ({ start, count }));
}
