// The background sweep: purges the events of deleted groups, and enforces each group's
// retention (PutRetentionPolicy) on its events (stored, and the platform lines kept in invocation
// records: platform-events.ts), its emptied streams and — for a function's group
// /aws/lambda/<name> — that function's invocation records. It deletes in chunks within a time
// budget per pass, so a large purge is spread over many short passes.
import type { LogDatabase } from './schema.js';
import type { TimeIndex } from './time-index.js';

const DAY_MS = 86_400_000;
const CHUNK = 2000;
const PASS_MS = 40;

export class RetentionSweep {
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 300_000;
  private stopped = false;
  private readonly s: ReturnType<typeof statements>;

  constructor(
    db: LogDatabase,
    private readonly time: TimeIndex,
    /** Rows went away behind the writer's caches. */
    private readonly forget: () => void,
    private readonly log: (line: string) => void,
  ) {
    this.s = statements(db);
  }

  /** Sweep every `intervalMs`; a pass that could not finish continues shortly after. */
  start(intervalMs: number): void {
    this.intervalMs = intervalMs;
    this.schedule(Math.min(intervalMs, 1000));
  }

  /** Run a pass now (in the background), e.g. to purge a group just deleted. */
  soon(): void {
    if (!this.stopped) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      let more = false;
      try {
        more = this.pass();
      } catch (err) {
        this.log(`lambkin: log retention sweep failed: ${(err as Error).message}`);
      }
      if (!this.stopped) this.schedule(more ? 20 : this.intervalMs);
    }, delayMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One pass within the time budget; true when work remains. */
  pass(now = Date.now()): boolean {
    const deadline = performance.now() + PASS_MS;
    let forget = false;
    for (const id of this.s.deletedGroups.all() as number[]) {
      let n: number;
      do {
        n = this.unindex(this.s.purgeBlocks.all(id, CHUNK) as number[]);
        n += this.s.purgeGroup.run(id, CHUNK).changes;
        if (performance.now() > deadline) return true;
      } while (n > 0);
      this.s.undelete.run(id);
    }
    for (const g of this.s.retained.all() as { id: number; name: string; retention_days: number }[]) {
      const cutoff = now - g.retention_days * DAY_MS;
      const cutoffId = this.time.firstIdAtOrAfter(cutoff);
      let more: boolean;
      do {
        const blocks = this.unindex(this.s.expireBlocks.all(g.id, cutoffId, cutoffId, CHUNK) as number[]);
        const rows = this.s.expire.all(g.id, cutoffId, CHUNK) as { stream_id: number; n: number }[];
        const kept = this.s.expireKept.all({ cutoff: cutoffId, group: g.id, limit: CHUNK }) as { stream_id: number; n: number }[];
        this.account(g.id, rows);
        this.account(g.id, kept);
        more = blocks === CHUNK || rows.length === CHUNK || kept.length === CHUNK;
        if (performance.now() > deadline) return true;
      } while (more);
      // Events clients put (put-events.ts) go by their own timestamps.
      let put: { stream_id: number; n: number }[];
      do {
        put = this.s.expirePut.all(g.id, cutoff, CHUNK) as { stream_id: number; n: number }[];
        this.account(g.id, put);
        if (performance.now() > deadline) return true;
      } while (put.length === CHUNK);
      if (this.s.dropStreams.run(g.id, cutoff).changes > 0) forget = true;
      this.s.dropPutStreams.run(g.id);
      if (g.name.startsWith('/aws/lambda/')) {
        let ids: number[];
        do {
          ids = this.s.expireRecords.all(g.name.slice(12), cutoff, CHUNK) as number[];
          for (const id of ids) this.s.dropRequest.run(id, id);
          if (ids.length) forget = true;
          if (performance.now() > deadline) {
            this.forget();
            return true;
          }
        } while (ids.length === CHUNK);
      }
    }
    if (forget) this.forget();
    return false;
  }

  /** Take blocks out of the full-text and trigram indexes; returns how many. */
  private unindex(blockIds: number[]): number {
    for (const id of blockIds) {
      this.s.unindex.run(id);
      this.s.uninfix.run(id);
    }
    return blockIds.length;
  }

  private account(groupId: number, rows: { stream_id: number; n: number }[]): void {
    if (rows.length === 0) return;
    const byStream = new Map<number, number>();
    let total = 0;
    for (const r of rows) {
      byStream.set(r.stream_id, (byStream.get(r.stream_id) ?? 0) + r.n);
      total += r.n;
    }
    for (const [id, n] of byStream) this.s.streamBytes.run(n, id);
    this.s.groupBytes.run(total, groupId);
  }
}

function statements(db: LogDatabase) {
  return {
    deletedGroups: db.prepare('SELECT id FROM deleted_groups').pluck(),
    purgeGroup: db.prepare(`DELETE FROM log_events WHERE id IN
                              (SELECT id FROM log_events INDEXED BY log_events_group WHERE group_id = ? ORDER BY id LIMIT ?)`),
    purgeBlocks: db.prepare(`DELETE FROM log_blocks WHERE first_id IN
                               (SELECT first_id FROM log_blocks WHERE group_id = ? ORDER BY first_id LIMIT ?) RETURNING first_id`).pluck(),
    // A block goes when all of its events have expired.
    expireBlocks: db.prepare(`DELETE FROM log_blocks WHERE first_id IN
                                (SELECT first_id FROM log_blocks WHERE group_id = ? AND first_id < ? AND last_id < ? ORDER BY first_id LIMIT ?)
                              RETURNING first_id`).pluck(),
    unindex: db.prepare('DELETE FROM log_fts WHERE rowid = ?'),
    uninfix: db.prepare('DELETE FROM log_infix WHERE rowid = ?'),
    undelete: db.prepare('DELETE FROM deleted_groups WHERE id = ?'),
    retained: db.prepare('SELECT id, name, retention_days FROM log_groups WHERE retention_days IS NOT NULL'),
    expire: db.prepare(`DELETE FROM log_events WHERE id IN
                          (SELECT id FROM log_events INDEXED BY log_events_group WHERE group_id = ? AND id < ? ORDER BY id LIMIT ?)
                        RETURNING stream_id, length(message) AS n`),
    // A record's kept START/END/REPORT go (the record stays, as its function's retention says);
    // their size: the REPORT's text, and START's and END's from the request id in it (up to its tab).
    expireKept: db.prepare(`UPDATE invocations SET start_event = NULL, end_event = NULL, report_event = NULL WHERE id IN
                              (SELECT id FROM invocations WHERE start_event < @cutoff AND report_event < @cutoff AND group_id = @group LIMIT @limit)
                            RETURNING stream_id, length(report) + 2 * (instr(report, char(9)) - 19) + 42 + length(version) AS n`),
    streamBytes: db.prepare('UPDATE log_streams SET stored_bytes = max(0, stored_bytes - ?) WHERE id = ?'),
    groupBytes: db.prepare('UPDATE log_groups SET stored_bytes = max(0, stored_bytes - ?) WHERE id = ?'),
    dropStreams: db.prepare('DELETE FROM log_streams WHERE group_id = ? AND coalesce(last_event, created_at) < ?'),
    expirePut: db.prepare(`DELETE FROM log_put_events WHERE seq IN (SELECT seq FROM log_put_events WHERE group_id = ? AND ts < ? LIMIT ?)
                           RETURNING stream_id, bytes AS n`),
    dropPutStreams: db.prepare('DELETE FROM log_put_streams WHERE group_id = ? AND stream_id NOT IN (SELECT id FROM log_streams)'),
    expireRecords: db.prepare(`DELETE FROM invocations WHERE id IN
                                 (SELECT id FROM invocations WHERE function_name = ? AND started_at < ? LIMIT ?) RETURNING id`).pluck(),
    dropRequest: db.prepare('DELETE FROM requests WHERE id = ? AND NOT EXISTS (SELECT 1 FROM log_events WHERE request = ?)'),
  };
}
