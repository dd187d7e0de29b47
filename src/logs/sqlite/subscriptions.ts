// Subscription filters in SQLite: one row per (group, name), deleted with their group (groups.ts).
import { MAX_SUBSCRIPTION_FILTERS, type PutSubscriptionResult, type SubscriptionFilter } from '../subscriptions.js';
import type { LogDatabase } from './schema.js';

interface Row {
  readonly group_name: string;
  readonly name: string;
  readonly pattern: string;
  readonly destination: string;
  readonly created_at: number;
}

export class SubscriptionTable {
  private readonly s;

  constructor(private readonly db: LogDatabase) {
    this.s = {
      groupId: db.prepare('SELECT id FROM log_groups WHERE name = ?').pluck(),
      names: db.prepare('SELECT name FROM log_subscription_filters WHERE group_id = ?').pluck(),
      upsert: db.prepare(`INSERT INTO log_subscription_filters (group_id, name, pattern, destination, created_at) VALUES (?, ?, ?, ?, ?)
                          ON CONFLICT (group_id, name) DO UPDATE SET pattern = excluded.pattern, destination = excluded.destination`),
      remove: db.prepare('DELETE FROM log_subscription_filters WHERE group_id = ? AND name = ?'),
      all: db.prepare(`SELECT g.name AS group_name, f.name, f.pattern, f.destination, f.created_at
                       FROM log_subscription_filters f JOIN log_groups g ON g.id = f.group_id
                       WHERE (@group IS NULL OR g.name = @group) ORDER BY g.name, f.name`),
    };
  }

  put(f: Omit<SubscriptionFilter, 'createdAt'>, now: number): PutSubscriptionResult {
    return this.db.transaction((): PutSubscriptionResult => {
      const id = this.s.groupId.get(f.group) as number | undefined;
      if (id === undefined) return 'GroupNotFound';
      const names = this.s.names.all(id) as string[];
      const exists = names.includes(f.name);
      if (!exists && names.length >= MAX_SUBSCRIPTION_FILTERS) return 'LimitExceeded';
      this.s.upsert.run(id, f.name, f.pattern, f.destinationArn, now);
      return exists ? 'replaced' : 'created';
    })();
  }

  /** The group's filters (undefined: no such group), or every group's when `group` is undefined. */
  list(group: string | undefined): SubscriptionFilter[] | undefined {
    if (group !== undefined && this.s.groupId.get(group) === undefined) return undefined;
    return (this.s.all.all({ group: group ?? null }) as Row[]).map((r) => ({
      group: r.group_name, name: r.name, pattern: r.pattern, destinationArn: r.destination, createdAt: r.created_at,
    }));
  }

  delete(group: string, name: string): boolean {
    const id = this.s.groupId.get(group) as number | undefined;
    return id !== undefined && this.s.remove.run(id, name).changes === 1;
  }
}
