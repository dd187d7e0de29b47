// Subscription filters on PostgreSQL: one row per (group, name), deleted with their group
// (groups.ts). A put locks the group's row, so two servers cannot make a third filter between them.
import type { Postgres } from '../../database/index.js';
import { MAX_SUBSCRIPTION_FILTERS, type PutSubscriptionResult, type SubscriptionFilter } from '../subscriptions.js';

interface Row {
  readonly group_name: string;
  readonly name: string;
  readonly pattern: string;
  readonly destination: string;
  readonly created_at: number;
}

export class PgSubscriptionTable {
  constructor(private readonly db: Postgres) {}

  put(f: Omit<SubscriptionFilter, 'createdAt'>, now: number): Promise<PutSubscriptionResult> {
    return this.db.transaction(async (tx): Promise<PutSubscriptionResult> => {
      const [group] = await tx.query<{ id: number }>('SELECT id FROM log_groups WHERE name = $1 FOR UPDATE', [f.group]);
      if (!group) return 'GroupNotFound';
      const names = (await tx.query<{ name: string }>('SELECT name FROM log_subscription_filters WHERE group_id = $1', [group.id])).map((r) => r.name);
      const exists = names.includes(f.name);
      if (!exists && names.length >= MAX_SUBSCRIPTION_FILTERS) return 'LimitExceeded';
      await tx.execute(
        `INSERT INTO log_subscription_filters (group_id, name, pattern, destination, created_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (group_id, name) DO UPDATE SET pattern = excluded.pattern, destination = excluded.destination`,
        [group.id, f.name, f.pattern, f.destinationArn, now]);
      return exists ? 'replaced' : 'created';
    });
  }

  /** The group's filters (undefined: no such group), or every group's when `group` is undefined. */
  async list(group: string | undefined): Promise<SubscriptionFilter[] | undefined> {
    if (group !== undefined && (await this.db.query('SELECT 1 FROM log_groups WHERE name = $1', [group])).length === 0) return undefined;
    const rows = await this.db.query<Row>(
      `SELECT g.name AS group_name, f.name, f.pattern, f.destination, f.created_at
         FROM log_subscription_filters f JOIN log_groups g ON g.id = f.group_id
        WHERE ($1::text IS NULL OR g.name = $1) ORDER BY g.name, f.name`, [group ?? null]);
    return rows.map((r) => ({ group: r.group_name, name: r.name, pattern: r.pattern, destinationArn: r.destination, createdAt: Number(r.created_at) }));
  }

  async delete(group: string, name: string): Promise<boolean> {
    const n = await this.db.execute(
      'DELETE FROM log_subscription_filters f USING log_groups g WHERE g.id = f.group_id AND g.name = $1 AND f.name = $2', [group, name]);
    return n === 1;
  }
}
