// Log groups and streams: listing, creation, retention settings, tags, deletion. Deleting a group takes its rows
// out of sight at once (group and streams); its events are purged in the background by the sweep
// (retention.ts), in small chunks, so that deleting a million events never stalls the server.
import type Database from 'better-sqlite3';
import type { LogDatabase } from './schema.js';
import type { GroupView, StreamOrder, StreamView } from '../views.js';

/** A group as this store keeps it: the view and its row id. */
export type GroupRecord = GroupView & { readonly id: number };
export type StreamRecord = StreamView & { readonly id: number };

/** Keyset position in a stream listing: the last stream of the previous page. */
export interface StreamCursor {
  readonly name: string;
  readonly lastEvent: number;
  readonly id: number;
}

export interface StreamQuery {
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

const PREFIX = '(@prefix IS NULL OR substr(name, 1, length(@prefix)) = @prefix)';

export class LogGroups {
  private readonly s: ReturnType<typeof statements>;
  private readonly streamLists = new Map<string, Database.Statement>();

  constructor(private readonly db: LogDatabase, private readonly onDeleted: () => void) {
    this.s = statements(db);
  }

  get(name: string): GroupRecord | undefined {
    const row = this.s.group.get(name) as GroupRow | undefined;
    return row && groupView(row);
  }

  /** Groups in name order after `after`; `limit + 1` are read to tell whether more follow. */
  list(q: { prefix?: string; contains?: string; after?: string; limit: number }): { groups: GroupRecord[]; more: boolean } {
    const rows = this.s.groups.all({ prefix: q.prefix ?? null, contains: q.contains ?? null, after: q.after ?? null, limit: q.limit + 1 }) as GroupRow[];
    return { groups: rows.slice(0, q.limit).map(groupView), more: rows.length > q.limit };
  }

  streams(groupId: number, q: StreamQuery): { streams: StreamRecord[]; more: boolean } {
    const stmt = this.streamList(q.orderBy, q.descending);
    const a = q.after;
    const rows = stmt.all({
      group: groupId, prefix: q.prefix ?? null, limit: q.limit + 1,
      name: a?.name ?? null, last: a?.lastEvent ?? null, id: a?.id ?? null,
    }) as StreamRow[];
    return { streams: rows.slice(0, q.limit).map(streamView), more: rows.length > q.limit };
  }

  stream(groupId: number, name: string): StreamRecord | undefined {
    const row = this.s.stream.get(groupId, name) as StreamRow | undefined;
    return row && streamView(row);
  }

  /** Ids of the group's streams with these names, or with this name prefix. */
  streamIds(groupId: number, names: readonly string[] | undefined, prefix: string | undefined): number[] {
    if (names) return this.s.idsByName.all(groupId, JSON.stringify(names)) as number[];
    return this.s.idsByPrefix.all({ group: groupId, prefix: prefix ?? null }) as number[];
  }

  /** Days to keep events, or undefined to keep them forever. False when there is no such group. */
  setRetention(name: string, days: number | undefined): boolean {
    return this.s.retention.run(days ?? null, name).changes === 1;
  }

  /** A new empty group with its tags; false when one of that name exists. */
  create(name: string, tags: Readonly<Record<string, string>>, now: number): boolean {
    return this.db.transaction(() => {
      if (this.get(name)) return false;
      const id = Number(this.s.insertGroup.run(name, now).lastInsertRowid);
      for (const [key, value] of Object.entries(tags)) this.s.setTag.run(id, key, value);
      return true;
    })();
  }

  /** The group's tags; undefined when there is no such group. */
  tags(name: string): Record<string, string> | undefined {
    const group = this.get(name);
    if (!group) return undefined;
    const rows = this.s.tags.all(group.id) as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  /** Add or replace tags, and remove `remove`; false when there is no such group. */
  retag(name: string, set: Readonly<Record<string, string>>, remove: readonly string[]): boolean {
    const group = this.get(name);
    if (!group) return false;
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(set)) this.s.setTag.run(group.id, key, value);
      for (const key of remove) this.s.removeTag.run(group.id, key);
    })();
    return true;
  }

  delete(name: string): boolean {
    const group = this.get(name);
    if (!group) return false;
    this.db.transaction(() => {
      this.s.deleteTags.run(group.id);
      this.s.deleteSubscriptions.run(group.id);
      this.s.markDeleted.run(group.id);
      this.s.deleteStreams.run(group.id);
      this.s.deleteGroup.run(group.id);
    })();
    this.onDeleted();
    return true;
  }

  private streamList(order: StreamOrder, descending: boolean): Database.Statement {
    const k = `${order}/${descending}`;
    let stmt = this.streamLists.get(k);
    if (stmt) return stmt;
    const cmp = descending ? '<' : '>';
    const dir = descending ? 'DESC' : 'ASC';
    const sql = order === 'LogStreamName'
      ? `SELECT * FROM log_streams WHERE group_id = @group AND ${PREFIX} AND (@name IS NULL OR name ${cmp} @name)
         ORDER BY name ${dir} LIMIT @limit`
      : `SELECT * FROM log_streams WHERE group_id = @group AND ${PREFIX}
           AND (@last IS NULL OR (coalesce(last_event, 0), id) ${cmp} (@last, @id))
         ORDER BY coalesce(last_event, 0) ${dir}, id ${dir} LIMIT @limit`;
    stmt = this.db.prepare(sql);
    this.streamLists.set(k, stmt);
    return stmt;
  }
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

function statements(db: LogDatabase) {
  return {
    group: db.prepare('SELECT * FROM log_groups WHERE name = ?'),
    groups: db.prepare(`SELECT * FROM log_groups WHERE ${PREFIX} AND (@contains IS NULL OR instr(name, @contains) > 0)
                          AND (@after IS NULL OR name > @after) ORDER BY name LIMIT @limit`),
    stream: db.prepare('SELECT * FROM log_streams WHERE group_id = ? AND name = ?'),
    idsByName: db.prepare('SELECT id FROM log_streams WHERE group_id = ? AND name IN (SELECT value FROM json_each(?))').pluck(),
    idsByPrefix: db.prepare(`SELECT id FROM log_streams WHERE group_id = @group AND ${PREFIX}`).pluck(),
    retention: db.prepare('UPDATE log_groups SET retention_days = ? WHERE name = ?'),
    markDeleted: db.prepare('INSERT OR IGNORE INTO deleted_groups (id) VALUES (?)'),
    deleteStreams: db.prepare('DELETE FROM log_streams WHERE group_id = ?'),
    deleteGroup: db.prepare('DELETE FROM log_groups WHERE id = ?'),
    insertGroup: db.prepare('INSERT INTO log_groups (name, created_at) VALUES (?, ?)'),
    tags: db.prepare('SELECT key, value FROM log_group_tags WHERE group_id = ? ORDER BY key'),
    setTag: db.prepare('INSERT INTO log_group_tags (group_id, key, value) VALUES (?, ?, ?) ON CONFLICT (group_id, key) DO UPDATE SET value = excluded.value'),
    removeTag: db.prepare('DELETE FROM log_group_tags WHERE group_id = ? AND key = ?'),
    deleteTags: db.prepare('DELETE FROM log_group_tags WHERE group_id = ?'),
    deleteSubscriptions: db.prepare('DELETE FROM log_subscription_filters WHERE group_id = ?'),
  };
}
