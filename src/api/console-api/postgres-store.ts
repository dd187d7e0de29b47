// The ConsoleStore (store.ts) on PostgreSQL, for several nodes sharing one database. Each write is
// one transaction, committed before its promise resolves. Every node sweeps the recorded payloads'
// limits (the same DELETEs: running them twice removes nothing more). Written against a minimal
// Queryable (the shape of database/postgres.ts's Postgres), not against `pg`; the caller applies
// CONSOLE_STORE_MIGRATIONS before creating it.
import type { RecordedPayload } from '../../logs/types.js';
import {
  KEEP_PAYLOADS_MS, MAX_DEPLOYS_PER_FUNCTION, MAX_PAYLOADS, PAYLOAD_SWEEP_INTERVAL_MS,
  type ConsoleStore, type ConsoleStoreOptions, type Deploy, type RecordedItem,
} from './store.js';

/** What a statement runs on: the pool, or one connection inside a transaction. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface PostgresDatabase extends Queryable {
  /** Run `work` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
}

interface DeployRow {
  function_name: string; at: string | number; kind: Deploy['kind']; version: string | null; code_sha256: string | null;
  code_size: string | number | null; revision_id: string | null; runtime: string | null; handler: string | null;
  memory_size: number | null; timeout: number | null;
}

export class PostgresConsoleStore implements ConsoleStore {
  private readonly sweeper: NodeJS.Timeout;
  private readonly limits: Required<Omit<ConsoleStoreOptions, 'sweepIntervalMs'>>;
  private readonly writing = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly db: PostgresDatabase, options: ConsoleStoreOptions = {}) {
    this.limits = {
      maxDeploysPerFunction: options.maxDeploysPerFunction ?? MAX_DEPLOYS_PER_FUNCTION,
      keepPayloadsMs: options.keepPayloadsMs ?? KEEP_PAYLOADS_MS,
      maxPayloads: options.maxPayloads ?? MAX_PAYLOADS,
    };
    // A sweep that fails (the database away) is simply tried again at the next one.
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), options.sweepIntervalMs ?? PAYLOAD_SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  addDeploy(d: Deploy): Promise<void> {
    return this.write((tx) => this.insertDeploy(tx, d));
  }

  async deploys(functionName: string, limit: number): Promise<Deploy[]> {
    this.check();
    const rows = await this.db.query<DeployRow>('SELECT * FROM console_deploys WHERE function_name = $1 ORDER BY id DESC LIMIT $2', [functionName, limit]);
    return rows.map((r) => ({
      functionName: r.function_name, at: Number(r.at), kind: r.kind, version: r.version ?? undefined, codeSha256: r.code_sha256 ?? undefined,
      codeSize: r.code_size === null ? undefined : Number(r.code_size), revisionId: r.revision_id ?? undefined, runtime: r.runtime ?? undefined,
      handler: r.handler ?? undefined, memorySize: r.memory_size ?? undefined, timeout: r.timeout ?? undefined,
    }));
  }

  addPayloads(items: readonly RecordedItem[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    // One statement for the batch; a request id twice in it: the later wins (as two batches would).
    const last = [...new Map(items.map((i) => [i.requestId, i])).values()];
    return this.write(async (tx) => {
      // Replacing takes a new id (DEFAULT): a re-recorded invocation counts as the newest for the cap.
      await tx.query(
        `INSERT INTO console_payloads (request_id, at, event, response, truncated)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[], $4::bytea[], $5::boolean[])
         ON CONFLICT (request_id) DO UPDATE SET id = DEFAULT, at = EXCLUDED.at, event = EXCLUDED.event,
           response = EXCLUDED.response, truncated = EXCLUDED.truncated`,
        [last.map((i) => i.requestId), last.map((i) => i.at), last.map((i) => Buffer.from(i.payload.event, 'utf8')),
          last.map((i) => Buffer.from(i.payload.response, 'utf8')), last.map((i) => i.payload.truncated)]);
    });
  }

  async payload(requestId: string): Promise<RecordedPayload | undefined> {
    this.check();
    const [row] = await this.db.query<{ event: Buffer; response: Buffer; truncated: boolean }>(
      'SELECT event, response, truncated FROM console_payloads WHERE request_id = $1', [requestId]);
    return row && { event: row.event.toString('utf8'), response: row.response.toString('utf8'), truncated: row.truncated };
  }

  /** Writes under way finish first (the log store's last batch may still be arriving); the pool is the caller's. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.closed = true;
    await Promise.allSettled([...this.writing]);
  }

  private check(): void {
    if (this.closed) throw new Error('The console store is closed.');
  }

  private async insertDeploy(tx: Queryable, d: Deploy): Promise<void> {
    await tx.query(
      `INSERT INTO console_deploys (function_name, at, kind, version, code_sha256, code_size, revision_id, runtime, handler, memory_size, timeout)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [d.functionName, d.at, d.kind, d.version ?? null, d.codeSha256 ?? null, d.codeSize ?? null, d.revisionId ?? null,
        d.runtime ?? null, d.handler ?? null, d.memorySize ?? null, d.timeout ?? null]);
    await tx.query(
      `DELETE FROM console_deploys WHERE function_name = $1 AND id <= (
         SELECT id FROM console_deploys WHERE function_name = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
      [d.functionName, this.limits.maxDeploysPerFunction]);
  }

  private async write(work: (tx: Queryable) => Promise<void>): Promise<void> {
    this.check();
    const p = this.db.transaction(work);
    this.writing.add(p);
    try {
      await p;
    } finally {
      this.writing.delete(p);
    }
  }

  private async sweep(): Promise<void> {
    await this.db.query('DELETE FROM console_payloads WHERE at < $1', [Date.now() - this.limits.keepPayloadsMs]);
    await this.db.query('DELETE FROM console_payloads WHERE id <= (SELECT id FROM console_payloads ORDER BY id DESC OFFSET $1 LIMIT 1)',
      [this.limits.maxPayloads]);
  }
}
