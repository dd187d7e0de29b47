// Log groups and streams on PostgreSQL: listing, retention settings, deletion. Deleting a group
// takes its rows out of sight at once (group and streams, in one transaction under the writers'
// lock, so that no batch adds to it meanwhile); its events are purged in the background by the
// sweep (retention.ts), in chunks.
import type { Postgres, Queryable } from '../../database/index.js';
import type { GroupView, StreamOrder, StreamView } from '../views.js';
import { WRITE_LOCK } from './writer.js';

export type GroupRecord = GroupView & { readonly id: number };
export type StreamRecord = StreamView & { readonly id: number };

export interface StreamCursor {
  readonly name: string;
  readonly lastEvent: number;
  readonly id: number;
}

export interface StreamListQuery {
  readonly prefix?: string;
  readonly orderBy: StreamOrder;
  readonly descending: boolean;
  readonly limit: number;
  readonly after?: StreamCursor;
}

interface GroupRow { id: number; name: string; created_at: number; retention_days: number | null; stored_bytes: number }
interface StreamRow {
  id: number; name: string; created_at: number; first_event: number | null; last_event: number | null;
  last_ingestion: number | null; stored_bytes: number; env_id: string | null;
}

export class PgLogGroups {
  constructor(private readonly db: Postgres) {}

  async get(name: string): Promise<GroupRecord | undefined> {
    const [row] = await this.db.query<GroupRow>('SELECT * FROM log_groups WHERE name = $1', [name]);
    return row && groupView(row);
  }

  /** Groups in name order after `after`; `limit + 1` are read to tell whether more follow. */
  async list(q: { prefix?: string; contains?: string; after?: string; limit: number }): Promise<{ groups: GroupRecord[]; more: boolean }> {
    const rows = await this.db.query<GroupRow>(
      `SELECT * FROM log_groups WHERE ($1::text IS NULL OR starts_with(name, $1)) AND ($2::text IS NULL OR strpos(name, $2) > 0)
         AND ($3::text IS NULL OR name > $3) ORDER BY name LIMIT $4`,
      [q.prefix ?? null, q.contains ?? null, q.after ?? null, q.limit + 1]);
    return { groups: rows.slice(0, q.limit).map(groupView), more: rows.length > q.limit };
  }

  async streams(groupId: number, q: StreamListQuery): Promise<{ streams: StreamRecord[]; more: boolean }> {
    const cmp = q.descending ? '<' : '>';
    const dir = q.descending ? 'DESC' : 'ASC';
    const a = q.after;
    const byName = q.orderBy === 'LogStreamName';
    const sql = byName
      ? `SELECT * FROM log_streams WHERE group_id = $1 AND ($2::text IS NULL OR starts_with(name, $2))
           AND ($3::text IS NULL OR name ${cmp} $3) ORDER BY name ${dir} LIMIT $4`
      : `SELECT * FROM log_streams WHERE group_id = $1 AND ($2::text IS NULL OR starts_with(name, $2))
           AND ($3::bigint IS NULL OR (coalesce(last_event, 0), id) ${cmp} ($3::bigint, $4::bigint))
         ORDER BY coalesce(last_event, 0) ${dir}, id ${dir} LIMIT $5`;
    const params = byName ? [groupId, q.prefix ?? null, a?.name ?? null, q.limit + 1] : [groupId, q.prefix ?? null, a?.lastEvent ?? null, a?.id ?? null, q.limit + 1];
    const rows = await this.db.query<StreamRow>(sql, params);
    return { streams: rows.slice(0, q.limit).map(streamView), more: rows.length > q.limit };
  }

  async stream(groupId: number, name: string): Promise<StreamRecord | undefined> {
    const [row] = await this.db.query<StreamRow>('SELECT * FROM log_streams WHERE group_id = $1 AND name = $2', [groupId, name]);
    return row && streamView(row);
  }

  /** Ids of the group's streams with these names, or with this name prefix. */
  async streamIds(groupId: number, names: readonly string[] | undefined, prefix: string | undefined): Promise<number[]> {
    const rows = names
      ? await this.db.query<{ id: number }>('SELECT id FROM log_streams WHERE group_id = $1 AND name = ANY($2::text[])', [groupId, names])
      : await this.db.query<{ id: number }>('SELECT id FROM log_streams WHERE group_id = $1 AND ($2::text IS NULL OR starts_with(name, $2))', [groupId, prefix ?? null]);
    return rows.map((r) => r.id);
  }

  async setRetention(name: string, days: number | undefined): Promise<boolean> {
    return (await this.db.execute('UPDATE log_groups SET retention_days = $1 WHERE name = $2', [days ?? null, name])) === 1;
  }

  /** A group made ahead of its events (CreateLogGroup); false when it exists already. */
  async create(name: string, tags: Readonly<Record<string, string>>, now: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<{ id: number }>(
        'INSERT INTO log_groups (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id', [name, now]);
      if (!row) return false;
      await setTags(tx, row.id, tags);
      return true;
    });
  }

  /** The group's tags; undefined when there is no such group. */
  async tags(name: string): Promise<Record<string, string> | undefined> {
    const group = await this.get(name);
    if (!group) return undefined;
    const rows = await this.db.query<{ key: string; value: string }>('SELECT key, value FROM log_group_tags WHERE group_id = $1 ORDER BY key', [group.id]);
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  /** Add or replace tags, and remove `remove`; false when there is no such group. */
  async retag(name: string, set: Readonly<Record<string, string>>, remove: readonly string[]): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<{ id: number }>('SELECT id FROM log_groups WHERE name = $1 FOR UPDATE', [name]);
      if (!row) return false;
      await setTags(tx, row.id, set);
      if (remove.length > 0) await tx.execute('DELETE FROM log_group_tags WHERE group_id = $1 AND key = ANY($2::text[])', [row.id, remove]);
      return true;
    });
  }

  async delete(name: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      const [row] = await tx.query<{ id: number }>('DELETE FROM log_groups WHERE name = $1 RETURNING id', [name]);
      if (!row) return false;
      await tx.execute('DELETE FROM log_streams WHERE group_id = $1', [row.id]);
      await tx.execute('DELETE FROM log_group_tags WHERE group_id = $1', [row.id]);
      await tx.execute('DELETE FROM log_subscription_filters WHERE group_id = $1', [row.id]);
      await tx.execute('INSERT INTO log_deleted_groups (id) VALUES ($1) ON CONFLICT DO NOTHING', [row.id]);
      return true;
    });
  }
}

async function setTags(tx: Queryable, groupId: number, tags: Readonly<Record<string, string>>): Promise<void> {
  const entries = Object.entries(tags);
  if (entries.length === 0) return;
  await tx.execute(
    `INSERT INTO log_group_tags (group_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t(k, v)
       ON CONFLICT (group_id, key) DO UPDATE SET value = excluded.value`,
    [groupId, entries.map(([k]) => k), entries.map(([, v]) => v)]);
}

function groupView(r: GroupRow): GroupRecord {
  return { id: r.id, name: r.name, createdAt: r.created_at, retentionDays: r.retention_days ?? undefined, storedBytes: r.stored_bytes };
}

function streamView(r: StreamRow): StreamRecord {
  return {
    id: r.id, name: r.name, createdAt: r.created_at, firstEvent: r.first_event ?? undefined, lastEvent: r.last_event ?? undefined,
    lastIngestion: r.last_ingestion ?? undefined, storedBytes: r.stored_bytes, envId: r.env_id ?? undefined,
  };
}
