// Reserved concurrency as a cluster-wide ceiling (docs/cluster.md, "Dispatch"): one lease row in
// PostgreSQL per running invocation of a function that has reserved concurrency, taken by the node
// that received the invocation before it is placed anywhere, and deleted when it is answered.
// Taking one is a single call of a SQL function that holds a per-function advisory lock for its
// transaction, counts the function's leases and inserts only below the ceiling: two nodes taking
// the last one at the same moment take turns, so the ceiling is never passed. Functions without
// reserved concurrency never touch the table. A node's leases go when it leaves the cluster
// (the others delete them at Membership.onLeft) and when it starts again (it deletes its own).
import { migratePostgres, type Postgres } from '../database/index.js';

export const RESERVED_LEASE_MIGRATIONS = {
  store: 'cluster-leases',
  steps: [
    `CREATE TABLE IF NOT EXISTS reserved_leases (
       request_id TEXT PRIMARY KEY, function TEXT NOT NULL, node TEXT NOT NULL, taken_at BIGINT NOT NULL);
     CREATE INDEX IF NOT EXISTS reserved_leases_by_function ON reserved_leases (function);
     CREATE INDEX IF NOT EXISTS reserved_leases_by_node ON reserved_leases (node);
     CREATE OR REPLACE FUNCTION lambkin_take_lease(p_request TEXT, p_function TEXT, p_node TEXT, p_at BIGINT, p_limit INTEGER)
     RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS $$
     BEGIN
       -- Held until the calling statement's transaction ends; each query below sees what others committed.
       PERFORM pg_advisory_xact_lock(hashtext('lambkin-reserved:' || p_function));
       IF (SELECT count(*) FROM reserved_leases WHERE function = p_function) >= p_limit THEN
         RETURN FALSE;
       END IF;
       INSERT INTO reserved_leases (request_id, function, node, taken_at) VALUES (p_request, p_function, p_node, p_at);
       RETURN TRUE;
     END $$;`,
  ],
} as const;

export class ReservedLeases {
  private constructor(private readonly pg: Postgres, private readonly node: string) {}

  static async open(pg: Postgres, node: string): Promise<ReservedLeases> {
    await migratePostgres(pg, RESERVED_LEASE_MIGRATIONS);
    // Leases of this node's previous run: those invocations ended with it.
    await pg.execute('DELETE FROM reserved_leases WHERE node = $1', [node]);
    return new ReservedLeases(pg, node);
  }

  /** True when a lease was taken (release it), false at the ceiling. */
  async take(fn: string, requestId: string, limit: number): Promise<boolean> {
    const [row] = await this.pg.query<{ ok: boolean }>('SELECT lambkin_take_lease($1, $2, $3, $4, $5) AS ok', [requestId, fn, this.node, Date.now(), limit]);
    return row?.ok === true;
  }

  async release(requestId: string): Promise<void> {
    await this.pg.execute('DELETE FROM reserved_leases WHERE request_id = $1', [requestId]);
  }

  /** `node` left the cluster: what it held is not running any more (as far as a sync caller is concerned). */
  async dropNode(node: string): Promise<void> {
    await this.pg.execute('DELETE FROM reserved_leases WHERE node = $1', [node]);
  }
}
