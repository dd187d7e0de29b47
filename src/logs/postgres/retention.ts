// The background sweep on PostgreSQL: purges the events of deleted groups, and enforces each
// group's retention (PutRetentionPolicy) on its events (stored, and the platform lines kept in
// invocation records: platform-events.ts), its emptied streams and — for a function's
// group /aws/lambda/<name> — that function's invocation records. It deletes in chunks within a
// time budget per pass, so that a large purge is many short statements, not one long lock.
// Every node of a cluster may sweep: one at a time per group (the others skip it for that pass),
// and the bytes given back are those each DELETE actually returned. A group's retention goes in
// chunks of one transaction each, its emptied streams and old records with the last (retain()).
import type { Postgres, Queryable } from '../../database/index.js';
import type { PgEventReader } from './events.js';
import { WRITE_LOCK } from './writer.js';

const DAY_MS = 86_400_000;
const CHUNK = 5000;
const PASS_MS = 200;
/** The retention sweep's advisory lock class (with the group id: one node sweeps a group at a time). */
const SWEEP_LOCK = 0x73776570; // 'swep'

export class PgRetentionSweep {
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 300_000;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly db: Postgres, private readonly events: PgEventReader, private readonly log: (line: string) => void) {}

  start(intervalMs: number): void {
    this.intervalMs = intervalMs;
    this.schedule(Math.min(intervalMs, 1000));
  }

  /** Run a pass now (in the background), e.g. to purge a group just deleted. */
  soon(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Stop, and wait for a pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.running.then(async () => {
        if (this.stopped) return;
        let more = false;
        try {
          more = await this.pass();
        } catch (err) {
          this.log(`lambkin: log retention sweep failed: ${(err as Error).message}`);
        }
        if (!this.stopped) this.schedule(more ? 20 : this.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  /** One pass within the time budget; true when work remains. */
  async pass(now = Date.now()): Promise<boolean> {
    const deadline = performance.now() + PASS_MS;
    for (const { id } of await this.db.query<{ id: number }>('SELECT id FROM log_deleted_groups')) {
      for (;;) {
        const n = await this.db.execute(`DELETE FROM log_events WHERE id IN (SELECT id FROM log_events WHERE group_id = $1 ORDER BY id LIMIT ${CHUNK})`, [id])
          + await this.db.execute(`DELETE FROM log_blocks WHERE first_id IN (SELECT first_id FROM log_blocks WHERE group_id = $1 ORDER BY first_id LIMIT ${CHUNK})`, [id]);
        if (n === 0) break;
        if (performance.now() > deadline) return true;
      }
      await this.db.execute('DELETE FROM log_deleted_groups WHERE id = $1', [id]);
    }
    const retained = await this.db.query<{ id: number; name: string; retention_days: number }>(
      'SELECT id, name, retention_days FROM log_groups WHERE retention_days IS NOT NULL');
    for (const g of retained) {
      const cutoff = now - g.retention_days * DAY_MS;
      const cutoffId = await this.events.firstIdAtOrAfter(cutoff);
      for (;;) {
        const step = await this.db.transaction((tx) => this.retain(tx, g, cutoff, cutoffId));
        if (step !== 'more') break;
        if (performance.now() > deadline) return true;
      }
    }
    return false;
  }

  /**
   * One chunk of a group's retention, in one transaction: its old events (stored, kept in records,
   * put by clients); with the last chunk, also its emptied streams and its function's old
   * invocation records — so that a read, on any node, sees the group as it was before the sweep
   * or after it, never events gone but their stream or records still there. A purge larger than a
   * chunk is seen going oldest first. 'busy': another node is sweeping this group now (its turn).
   */
  private async retain(tx: Queryable, g: { id: number; name: string }, cutoff: number, cutoffId: number): Promise<'more' | 'done' | 'busy'> {
    // One node sweeps a group at a time; the others skip it this pass instead of waiting on its rows.
    const [turn] = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', [SWEEP_LOCK, g.id]);
    if (!turn?.ok) return 'busy';
    const gone = await tx.query<{ stream_id: number; n: number; c: number }>(
      `WITH gone AS (DELETE FROM log_events WHERE id IN (SELECT id FROM log_events WHERE group_id = $1 AND id < $2 ORDER BY id LIMIT ${CHUNK})
                     RETURNING stream_id, length(message) AS n)
       SELECT stream_id, sum(n)::bigint AS n, count(*)::bigint AS c FROM gone GROUP BY stream_id`, [g.id, cutoffId]);
    const blocks = await tx.execute(
      `DELETE FROM log_blocks WHERE first_id IN (SELECT first_id FROM log_blocks WHERE group_id = $1 AND last_id < $2 ORDER BY first_id LIMIT ${CHUNK})`,
      [g.id, cutoffId]);
    // A record's kept START/END/REPORT go (the record stays, as its function's retention says);
    // their size: the REPORT's text, and START's and END's from the request id and version.
    const kept = await tx.query<{ stream_id: number; n: number; c: number }>(
      `WITH gone AS (UPDATE log_invocations SET start_event = NULL, end_event = NULL, report_event = NULL WHERE seq IN
                       (SELECT seq FROM log_invocations WHERE group_id = $1 AND start_event < $2 AND report_event < $2 LIMIT ${CHUNK})
                     RETURNING stream_id, length(report) + 2 * length(request_id) + length(version) + 42 AS n)
       SELECT stream_id, sum(n)::bigint AS n, count(*)::bigint AS c FROM gone GROUP BY stream_id`, [g.id, cutoffId]);
    // Events clients put (put-events.ts) go by their own timestamps.
    const put = await tx.query<{ stream_id: number; n: number; c: number }>(
      `WITH gone AS (DELETE FROM log_put_events WHERE seq IN (SELECT seq FROM log_put_events WHERE group_id = $1 AND ts < $2 LIMIT ${CHUNK})
                     RETURNING stream_id, bytes AS n)
       SELECT stream_id, sum(n)::bigint AS n, count(*)::bigint AS c FROM gone GROUP BY stream_id`, [g.id, cutoff]);
    for (const rows of [gone, kept, put]) await account(tx, g.id, rows);
    const count = (rows: readonly { c: number }[]) => rows.reduce((n, r) => n + Number(r.c), 0);
    if (count(gone) === CHUNK || count(kept) === CHUNK || count(put) === CHUNK || blocks === CHUNK) return 'more';
    if (g.name.startsWith('/aws/lambda/')) {
      const records = await tx.execute(`DELETE FROM log_invocations WHERE seq IN
               (SELECT seq FROM log_invocations WHERE function_name = $1 AND started_at < $2 LIMIT ${CHUNK})`, [g.name.slice(12), cutoff]);
      if (records === CHUNK) return 'more';
    }
    // Last, under the writers' lock (held to the commit, a few statements): a batch must not add an event to a stream being dropped.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
    await tx.execute('DELETE FROM log_streams WHERE group_id = $1 AND coalesce(last_event, created_at) < $2', [g.id, cutoff]);
    await tx.execute('DELETE FROM log_put_streams p WHERE group_id = $1 AND NOT EXISTS (SELECT 1 FROM log_streams s WHERE s.id = p.stream_id)', [g.id]);
    return 'done';
  }
}

async function account(db: Queryable, groupId: number, rows: readonly { stream_id: number; n: number }[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(`UPDATE log_streams s SET stored_bytes = greatest(0, s.stored_bytes - x.n)
                  FROM unnest($1::bigint[], $2::bigint[]) AS x(id, n) WHERE s.id = x.id`, [rows.map((r) => r.stream_id), rows.map((r) => r.n)]);
  await db.query('UPDATE log_groups SET stored_bytes = greatest(0, stored_bytes - $1) WHERE id = $2', [rows.reduce((n, r) => n + Number(r.n), 0), groupId]);
}
