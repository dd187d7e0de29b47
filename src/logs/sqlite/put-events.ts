// The SQLite store's streams written by clients (../put-events.ts says why they have a table of
// their own): log_put_streams marks which rows of log_streams they are (so DescribeLogStreams
// lists them like any other), log_put_events holds their events by (timestamp, seq).
import type Database from 'better-sqlite3';
import type { LogDatabase } from './schema.js';
import type { PutCursor, PutEvent, PutOutcome, PutReadQuery, PutRow, PutTable } from '../put-events.js';

/** Bytes CloudWatch counts per event besides its message. */
export const EVENT_OVERHEAD = 26;

export class SqlitePutEvents implements PutTable {
  private readonly s: ReturnType<typeof statements>;
  private readonly reads = new Map<string, Database.Statement>();

  constructor(private readonly db: LogDatabase) {
    this.s = statements(db);
  }

  async hasStreams(groupId: number): Promise<boolean> {
    return this.s.hasStreams.get(groupId) !== undefined;
  }

  async isPutStream(streamId: number): Promise<boolean> {
    return this.s.isPut.get(streamId) !== undefined;
  }

  create(group: string, stream: string, now: number): PutOutcome {
    const groupId = this.s.group.get(group) as number | undefined;
    if (groupId === undefined) return 'noGroup';
    if (this.s.stream.get(groupId, stream) !== undefined) return 'exists';
    this.db.transaction(() => {
      const id = Number(this.s.insertStream.run(groupId, stream, now).lastInsertRowid);
      this.s.markPut.run(id, groupId);
    })();
    return 'done';
  }

  delete(group: string, stream: string): PutOutcome {
    const target = this.find(group, stream);
    if (typeof target === 'string') return target;
    this.db.transaction(() => {
      const bytes = this.s.deleteEvents.all(target.streamId) as number[];
      this.s.untouchGroup.run(bytes.reduce((n, b) => n + b, 0), target.groupId);
      this.s.unmarkPut.run(target.streamId);
      this.s.deleteStream.run(target.streamId);
    })();
    return 'done';
  }

  /** The events in one transaction; the first one's seq, or the outcome that refused them. */
  append(group: string, stream: string, events: readonly PutEvent[], now: number): PutOutcome | { first: number } {
    const target = this.find(group, stream);
    if (typeof target === 'string') return target;
    if (events.length === 0) return { first: 0 };
    let bytes = 0;
    let first = 0;
    this.db.transaction(() => {
      for (const e of events) {
        const size = Buffer.byteLength(e.message) + EVENT_OVERHEAD;
        bytes += size;
        const seq = Number(this.s.insertEvent.run(target.groupId, target.streamId, e.timestamp, now, e.message, size).lastInsertRowid);
        if (first === 0) first = seq;
      }
      const ts = events.map((e) => e.timestamp);
      this.s.touchStream.run({ first: Math.min(...ts), last: Math.max(...ts), now, bytes, id: target.streamId });
      this.s.touchGroup.run(bytes, target.groupId);
    })();
    return { first };
  }

  /** Every put event of a group goes (DeleteLogGroup; its streams' rows go with the group). */
  purgeGroup(groupId: number): void {
    this.s.purgeEvents.run(groupId);
    this.s.purgeStreams.run(groupId);
  }

  async read(q: PutReadQuery): Promise<PutRow[]> {
    const k = `${q.streamIds !== undefined}/${q.descending}`;
    let stmt = this.reads.get(k);
    if (!stmt) {
      const [cmp, dir] = q.descending ? ['<', 'DESC'] : ['>', 'ASC'];
      stmt = this.db.prepare(`SELECT e.seq, e.ts, e.ingested, s.name AS stream, e.message FROM log_put_events e JOIN log_streams s ON s.id = e.stream_id
        WHERE e.group_id = @group ${q.streamIds !== undefined ? 'AND e.stream_id IN (SELECT value FROM json_each(@streams))' : ''}
          AND e.ts >= @start AND e.ts < @end AND (@t IS NULL OR (e.ts, e.seq) ${cmp} (@t, @s))
        ORDER BY e.ts ${dir}, e.seq ${dir} LIMIT @limit`);
      this.reads.set(k, stmt);
    }
    const from: Partial<PutCursor> = q.from ?? {};
    return stmt.all({
      group: q.groupId, ...(q.streamIds !== undefined ? { streams: JSON.stringify(q.streamIds) } : {}), start: q.startTime ?? Number.MIN_SAFE_INTEGER, end: q.endTime ?? Number.MAX_SAFE_INTEGER,
      t: from.t ?? null, s: from.s ?? null, limit: q.limit,
    }) as PutRow[];
  }

  async bins(groupId: number, startTime: number | undefined, endTime: number | undefined, binMs: number): Promise<{ start: number; count: number }[]> {
    return this.s.bins.all({ group: groupId, start: startTime ?? Number.MIN_SAFE_INTEGER, end: endTime ?? Number.MAX_SAFE_INTEGER, bin: binMs }) as { start: number; count: number }[];
  }

  private find(group: string, stream: string): { groupId: number; streamId: number } | PutOutcome {
    const groupId = this.s.group.get(group) as number | undefined;
    if (groupId === undefined) return 'noGroup';
    const streamId = this.s.stream.get(groupId, stream) as number | undefined;
    if (streamId === undefined) return 'noStream';
    if (this.s.isPut.get(streamId) === undefined) return 'written';
    return { groupId, streamId };
  }
}

function statements(db: LogDatabase) {
  return {
    group: db.prepare('SELECT id FROM log_groups WHERE name = ?').pluck(),
    stream: db.prepare('SELECT id FROM log_streams WHERE group_id = ? AND name = ?').pluck(),
    hasStreams: db.prepare('SELECT 1 FROM log_put_streams WHERE group_id = ? LIMIT 1'),
    isPut: db.prepare('SELECT 1 FROM log_put_streams WHERE stream_id = ?'),
    insertStream: db.prepare('INSERT INTO log_streams (group_id, name, created_at) VALUES (?, ?, ?)'),
    markPut: db.prepare('INSERT INTO log_put_streams (stream_id, group_id) VALUES (?, ?)'),
    unmarkPut: db.prepare('DELETE FROM log_put_streams WHERE stream_id = ?'),
    deleteStream: db.prepare('DELETE FROM log_streams WHERE id = ?'),
    deleteEvents: db.prepare('DELETE FROM log_put_events WHERE stream_id = ? RETURNING bytes').pluck(),
    untouchGroup: db.prepare('UPDATE log_groups SET stored_bytes = max(0, stored_bytes - ?) WHERE id = ?'),
    insertEvent: db.prepare('INSERT INTO log_put_events (group_id, stream_id, ts, ingested, message, bytes) VALUES (?, ?, ?, ?, ?, ?)'),
    touchStream: db.prepare(`UPDATE log_streams SET first_event = min(coalesce(first_event, @first), @first), last_event = max(coalesce(last_event, @last), @last),
                               last_ingestion = @now, stored_bytes = stored_bytes + @bytes WHERE id = @id`),
    touchGroup: db.prepare('UPDATE log_groups SET stored_bytes = stored_bytes + ? WHERE id = ?'),
    purgeEvents: db.prepare('DELETE FROM log_put_events WHERE group_id = ?'),
    purgeStreams: db.prepare('DELETE FROM log_put_streams WHERE group_id = ?'),
    bins: db.prepare(`SELECT (ts - ((ts % @bin) + @bin) % @bin) AS start, count(*) AS count FROM log_put_events
                      WHERE group_id = @group AND ts >= @start AND ts < @end GROUP BY 1 ORDER BY 1`),
  };
}
