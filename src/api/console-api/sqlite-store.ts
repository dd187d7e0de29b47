// The ConsoleStore (store.ts) on SQLite: <dataDir>/console.db (WAL, synchronous=NORMAL: a crash
// may lose the last moments of deploy history and recordings, never corrupt them). Owned by one
// process. Reads and writes run at once; their promises only carry the result or the error.
import type Database from 'better-sqlite3';
import { openSqlite, type Migrations } from '../../database/index.js';
import type { RecordedPayload } from '../../logs/types.js';
import {
  KEEP_PAYLOADS_MS, MAX_DEPLOYS_PER_FUNCTION, MAX_PAYLOADS, PAYLOAD_SWEEP_INTERVAL_MS,
  type ConsoleStore, type ConsoleStoreOptions, type Deploy, type RecordedItem,
} from './store.js';

// PRAGMA user_version counts the steps applied (src/database/migrate.ts); never edit a step that has
// shipped, add one. Step 1 keeps IF NOT EXISTS: console.db files made before there were steps have
// these tables already, at version 0.
const MIGRATIONS: Migrations = {
  store: 'console',
  steps: [`
  CREATE TABLE IF NOT EXISTS deploys (
    id INTEGER PRIMARY KEY, function_name TEXT NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL, version TEXT,
    code_sha256 TEXT, code_size INTEGER, revision_id TEXT, runtime TEXT, handler TEXT, memory_size INTEGER, timeout INTEGER
  );
  CREATE INDEX IF NOT EXISTS deploys_function ON deploys (function_name, id);
  CREATE TABLE IF NOT EXISTS payloads (
    id INTEGER PRIMARY KEY, request_id TEXT NOT NULL UNIQUE, at INTEGER NOT NULL,
    event TEXT NOT NULL, response TEXT NOT NULL, truncated INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS payloads_at ON payloads (at);`],
};

export class SqliteConsoleStore implements ConsoleStore {
  private readonly db: Database.Database;
  private readonly s: ReturnType<typeof statements>;
  private readonly sweeper: NodeJS.Timeout;
  private readonly limits: Required<Omit<ConsoleStoreOptions, 'sweepIntervalMs'>>;

  /** Open (or create) the store in the file at `path`. */
  constructor(path: string, options: ConsoleStoreOptions = {}) {
    this.db = openSqlite(path, MIGRATIONS, { synchronous: 'NORMAL' });
    this.s = statements(this.db);
    this.limits = {
      maxDeploysPerFunction: options.maxDeploysPerFunction ?? MAX_DEPLOYS_PER_FUNCTION,
      keepPayloadsMs: options.keepPayloadsMs ?? KEEP_PAYLOADS_MS,
      maxPayloads: options.maxPayloads ?? MAX_PAYLOADS,
    };
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? PAYLOAD_SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  addDeploy(d: Deploy): Promise<void> {
    return settled(() => this.insertDeploy(d));
  }

  deploys(functionName: string, limit: number): Promise<Deploy[]> {
    return settled(() => this.readDeploys(functionName, limit));
  }

  addPayloads(items: readonly RecordedItem[]): Promise<void> {
    return settled(() => this.insertPayloads(items));
  }

  payload(requestId: string): Promise<RecordedPayload | undefined> {
    return settled(() => {
      const row = this.s.payload.get(requestId) as { event: string; response: string; truncated: number } | undefined;
      return row && { event: row.event, response: row.response, truncated: row.truncated === 1 };
    });
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.db.close();
  }

  private insertDeploy(d: Deploy): void {
    this.s.insertDeploy.run({
      fn: d.functionName, at: d.at, kind: d.kind, version: d.version ?? null, sha: d.codeSha256 ?? null, size: d.codeSize ?? null,
      rev: d.revisionId ?? null, runtime: d.runtime ?? null, handler: d.handler ?? null, memory: d.memorySize ?? null, timeout: d.timeout ?? null,
    });
    this.s.trimDeploys.run({ fn: d.functionName, keep: this.limits.maxDeploysPerFunction });
  }

  private readDeploys(functionName: string, limit: number): Deploy[] {
    return (this.s.deploys.all({ fn: functionName, limit }) as DeployRow[]).map((r) => ({
      functionName: r.function_name, at: r.at, kind: r.kind, version: r.version ?? undefined, codeSha256: r.code_sha256 ?? undefined,
      codeSize: r.code_size ?? undefined, revisionId: r.revision_id ?? undefined, runtime: r.runtime ?? undefined,
      handler: r.handler ?? undefined, memorySize: r.memory_size ?? undefined, timeout: r.timeout ?? undefined,
    }));
  }

  private insertPayloads(items: readonly RecordedItem[]): void {
    if (items.length === 0) return;
    this.db.transaction(() => {
      for (const i of items) {
        this.s.insertPayload.run({ rid: i.requestId, at: i.at, event: i.payload.event, response: i.payload.response, truncated: i.payload.truncated ? 1 : 0 });
      }
    })();
  }

  private sweep(): void {
    if (!this.db.open) return;
    this.s.expirePayloads.run(Date.now() - this.limits.keepPayloadsMs);
    this.s.capPayloads.run(this.limits.maxPayloads);
  }
}

/** Run `fn` now; its result or its error (a closed database, a full disk) as a promise. */
function settled<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}

interface DeployRow {
  function_name: string; at: number; kind: Deploy['kind']; version: string | null; code_sha256: string | null; code_size: number | null;
  revision_id: string | null; runtime: string | null; handler: string | null; memory_size: number | null; timeout: number | null;
}

function statements(db: Database.Database) {
  return {
    insertDeploy: db.prepare(`INSERT INTO deploys (function_name, at, kind, version, code_sha256, code_size, revision_id, runtime, handler, memory_size, timeout)
                              VALUES (@fn, @at, @kind, @version, @sha, @size, @rev, @runtime, @handler, @memory, @timeout)`),
    trimDeploys: db.prepare(`DELETE FROM deploys WHERE function_name = @fn AND id <= (
                               SELECT id FROM deploys WHERE function_name = @fn ORDER BY id DESC LIMIT 1 OFFSET @keep)`),
    deploys: db.prepare('SELECT * FROM deploys WHERE function_name = @fn ORDER BY id DESC LIMIT @limit'),
    insertPayload: db.prepare(`INSERT OR REPLACE INTO payloads (request_id, at, event, response, truncated) VALUES (@rid, @at, @event, @response, @truncated)`),
    payload: db.prepare('SELECT event, response, truncated FROM payloads WHERE request_id = ?'),
    expirePayloads: db.prepare('DELETE FROM payloads WHERE at < ?'),
    capPayloads: db.prepare('DELETE FROM payloads WHERE id <= (SELECT id FROM payloads ORDER BY id DESC LIMIT 1 OFFSET ?)'),
  };
}
