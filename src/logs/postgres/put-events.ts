// The PostgreSQL store's streams written by clients (../put-events.ts says why they have a table
// of their own): log_put_streams marks which rows of log_streams they are (so DescribeLogStreams
// lists them like any other), log_put_events holds their events by (timestamp, seq).
import type { Postgres, Queryable } from '../../database/index.js';
import { messageOf } from './events.js';
import type { PutEvent, PutOutcome, PutReadQuery, PutRow, PutTable } from '../put-events.js';

/** Bytes CloudWatch counts per event besides its message. */
const EVENT_OVERHEAD = 26;

export class PgPutEvents implements PutTable {
  constructor(private readonly db: Postgres) {}

  async hasStreams(groupId: number): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM log_put_streams WHERE group_id = $1 LIMIT 1', [groupId])).length > 0;
  }

  async isPutStream(streamId: number): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM log_put_streams WHERE stream_id = $1', [streamId])).length > 0;
  }

  async create(group: string, stream: string, now: number): Promise<PutOutcome> {
    return this.db.transaction(async (tx) => {
      const [g] = await tx.query<{ id: number }>('SELECT id FROM log_groups WHERE name = $1 FOR SHARE', [group]);
      if (!g) return 'noGroup';
      const [s] = await tx.query<{ id: number }>(
        'INSERT INTO log_streams (group_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (group_id, name) DO NOTHING RETURNING id', [g.id, stream, now]);
      if (!s) return 'exists';
      await tx.execute('INSERT INTO log_put_streams (stream_id, group_id) VALUES ($1, $2)', [s.id, g.id]);
      return 'done';
    });
  }

  async delete(group: string, stream: string): Promise<PutOutcome> {
    return this.db.transaction(async (tx) => {
      const target = await find(tx, group, stream);
      if (typeof target === 'string') return target;
      const [{ bytes } = { bytes: 0 }] = await tx.query<{ bytes: number }>(
        'WITH d AS (DELETE FROM log_put_events WHERE stream_id = $1 RETURNING bytes) SELECT coalesce(sum(bytes), 0)::bigint AS bytes FROM d', [target.streamId]);
      await tx.execute('UPDATE log_groups SET stored_bytes = greatest(0, stored_bytes - $1) WHERE id = $2', [bytes, target.groupId]);
      await tx.execute('DELETE FROM log_put_streams WHERE stream_id = $1', [target.streamId]);
      await tx.execute('DELETE FROM log_streams WHERE id = $1', [target.streamId]);
      return 'done';
    });
  }

  /** The events in one transaction; the first one's seq, or the outcome that refused them. */
  async append(group: string, stream: string, events: readonly PutEvent[], now: number): Promise<PutOutcome | { first: number }> {
    return this.db.transaction(async (tx) => {
      const target = await find(tx, group, stream);
      if (typeof target === 'string') return target;
      if (events.length === 0) return { first: 0 };
      const sizes = events.map((e) => Buffer.byteLength(e.message) + EVENT_OVERHEAD);
      const bytes = sizes.reduce((n, b) => n + b, 0);
      const rows = await tx.query<{ seq: number }>(
        // A text column cannot hold NUL: such a message is kept as its UTF-8 bytes (as log_events does).
        `INSERT INTO log_put_events (group_id, stream_id, ts, ingested, message, message_bytes, bytes)
           SELECT $1, $2, t, $3, m, mb, b FROM unnest($4::bigint[], $5::text[], $6::bytea[], $7::int[]) WITH ORDINALITY AS x(t, m, mb, b, n) ORDER BY n
         RETURNING seq`,
        [target.groupId, target.streamId, now, events.map((e) => e.timestamp), events.map((e) => e.message.replaceAll('\u0000', '')),
          events.map((e) => (e.message.includes('\u0000') ? Buffer.from(e.message) : null)), sizes]);
      const ts = events.map((e) => e.timestamp);
      await tx.execute(
        `UPDATE log_streams SET first_event = least(coalesce(first_event, $1), $1), last_event = greatest(coalesce(last_event, $2), $2),
           last_ingestion = $3, stored_bytes = stored_bytes + $4 WHERE id = $5`, [Math.min(...ts), Math.max(...ts), now, bytes, target.streamId]);
      await tx.execute('UPDATE log_groups SET stored_bytes = stored_bytes + $1 WHERE id = $2', [bytes, target.groupId]);
      return { first: Math.min(...rows.map((r) => r.seq)) };
    });
  }

  /** Every put event of a group goes (DeleteLogGroup; its streams' rows go with the group). */
  async purgeGroup(groupId: number): Promise<void> {
    await this.db.execute('DELETE FROM log_put_events WHERE group_id = $1', [groupId]);
    await this.db.execute('DELETE FROM log_put_streams WHERE group_id = $1', [groupId]);
  }

  async read(q: PutReadQuery): Promise<PutRow[]> {
    const [cmp, dir] = q.descending ? ['<', 'DESC'] : ['>', 'ASC'];
    const rows = await this.db.query<PutRow & { message_bytes: Buffer | null }>(
      `SELECT e.seq, e.ts, e.ingested, s.name AS stream, e.message, e.message_bytes FROM log_put_events e JOIN log_streams s ON s.id = e.stream_id
       WHERE e.group_id = $1 AND ($2::bigint[] IS NULL OR e.stream_id = ANY($2::bigint[])) AND e.ts >= $3 AND e.ts < $4
         AND ($5::bigint IS NULL OR (e.ts, e.seq) ${cmp} ($5::bigint, $6::bigint))
       ORDER BY e.ts ${dir}, e.seq ${dir} LIMIT $7`,
      [q.groupId, q.streamIds ?? null, q.startTime ?? Number.MIN_SAFE_INTEGER, q.endTime ?? Number.MAX_SAFE_INTEGER, q.from?.t ?? null, q.from?.s ?? null, q.limit]);
    return rows.map(({ message_bytes, ...r }) => ({ ...r, message: messageOf({ message: r.message, message_bytes }) }));
  }

  async bins(groupId: number, startTime: number | undefined, endTime: number | undefined, binMs: number): Promise<{ start: number; count: number }[]> {
    return this.db.query<{ start: number; count: number }>(
      `SELECT (ts - mod(mod(ts, $4::bigint) + $4::bigint, $4::bigint)) AS start, count(*)::bigint AS count FROM log_put_events
       WHERE group_id = $1 AND ts >= $2 AND ts < $3 GROUP BY 1 ORDER BY 1`,
      [groupId, startTime ?? Number.MIN_SAFE_INTEGER, endTime ?? Number.MAX_SAFE_INTEGER, binMs]);
  }
}

async function find(tx: Queryable, group: string, stream: string): Promise<{ groupId: number; streamId: number } | PutOutcome> {
  const [g] = await tx.query<{ id: number }>('SELECT id FROM log_groups WHERE name = $1', [group]);
  if (!g) return 'noGroup';
  const [s] = await tx.query<{ id: number; put: boolean }>(
    'SELECT s.id, EXISTS (SELECT 1 FROM log_put_streams p WHERE p.stream_id = s.id) AS put FROM log_streams s WHERE s.group_id = $1 AND s.name = $2', [g.id, stream]);
  if (!s) return 'noStream';
  if (!s.put) return 'written';
  return { groupId: g.id, streamId: s.id };
}
