// What the console keeps beyond the registry and the log store, in <dataDir>/console.db: each
// function's deploy history (creates, code and configuration updates, publishes, deletes), and the
// recorded events and responses of functions that opted in (LambkinRecordPayloads), kept for
// 7 days and at most 100,000 invocations.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { RecordedPayload } from '../../logs/types.js';

export interface Deploy {
  readonly functionName: string;
  readonly at: number;
  readonly kind: 'create' | 'code' | 'configuration' | 'publish' | 'delete';
  readonly version: string | undefined;
  readonly codeSha256: string | undefined;
  readonly codeSize: number | undefined;
  readonly revisionId: string | undefined;
  readonly runtime: string | undefined;
  readonly handler: string | undefined;
  readonly memorySize: number | undefined;
  readonly timeout: number | undefined;
}

const KEEP_PAYLOADS_MS = 7 * 24 * 3600 * 1000;
const MAX_PAYLOADS = 100_000;
const MAX_DEPLOYS_PER_FUNCTION = 200;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS deploys (
    id INTEGER PRIMARY KEY, function_name TEXT NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL, version TEXT,
    code_sha256 TEXT, code_size INTEGER, revision_id TEXT, runtime TEXT, handler TEXT, memory_size INTEGER, timeout INTEGER
  );
  CREATE INDEX IF NOT EXISTS deploys_function ON deploys (function_name, id);
  CREATE TABLE IF NOT EXISTS payloads (
    id INTEGER PRIMARY KEY, request_id TEXT NOT NULL UNIQUE, at INTEGER NOT NULL,
    event TEXT NOT NULL, response TEXT NOT NULL, truncated INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS payloads_at ON payloads (at);`;

export class ConsoleStore {
  private readonly db: Database.Database;
  private readonly s: ReturnType<typeof statements>;
  private readonly sweeper: NodeJS.Timeout;

  constructor(dataDir: string) {
    this.db = new Database(join(dataDir, 'console.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.s = statements(this.db);
    this.sweeper = setInterval(() => this.sweep(), 10 * 60_000);
    this.sweeper.unref();
  }

  addDeploy(d: Deploy): void {
    this.s.insertDeploy.run({
      fn: d.functionName, at: d.at, kind: d.kind, version: d.version ?? null, sha: d.codeSha256 ?? null, size: d.codeSize ?? null,
      rev: d.revisionId ?? null, runtime: d.runtime ?? null, handler: d.handler ?? null, memory: d.memorySize ?? null, timeout: d.timeout ?? null,
    });
    this.s.trimDeploys.run({ fn: d.functionName, keep: MAX_DEPLOYS_PER_FUNCTION });
  }

  /** Newest first. */
  deploys(functionName: string, limit: number): Deploy[] {
    return (this.s.deploys.all({ fn: functionName, limit }) as DeployRow[]).map((r) => ({
      functionName: r.function_name, at: r.at, kind: r.kind, version: r.version ?? undefined, codeSha256: r.code_sha256 ?? undefined,
      codeSize: r.code_size ?? undefined, revisionId: r.revision_id ?? undefined, runtime: r.runtime ?? undefined,
      handler: r.handler ?? undefined, memorySize: r.memory_size ?? undefined, timeout: r.timeout ?? undefined,
    }));
  }

  /** Store several in one transaction (they arrive in the log store's batches). */
  addPayloads(items: readonly { requestId: string; at: number; payload: RecordedPayload }[]): void {
    if (items.length === 0) return;
    this.db.transaction(() => {
      for (const i of items) {
        this.s.insertPayload.run({ rid: i.requestId, at: i.at, event: i.payload.event, response: i.payload.response, truncated: i.payload.truncated ? 1 : 0 });
      }
    })();
  }

  payload(requestId: string): RecordedPayload | undefined {
    const row = this.s.payload.get(requestId) as { event: string; response: string; truncated: number } | undefined;
    return row && { event: row.event, response: row.response, truncated: row.truncated === 1 };
  }

  close(): void {
    clearInterval(this.sweeper);
    this.db.close();
  }

  private sweep(): void {
    this.s.expirePayloads.run(Date.now() - KEEP_PAYLOADS_MS);
    this.s.capPayloads.run(MAX_PAYLOADS);
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
