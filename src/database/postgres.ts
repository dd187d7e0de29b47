// PostgreSQL access for lambkin's stores, over node-postgres (`pg`): a pool of connections,
// parameterised queries only, and timeouts everywhere, so that a database that is down or stops
// answering gives an error within seconds instead of a request that hangs. Every error that
// leaves this file names the database by its redacted URL, never with its password.
import pg from 'pg';
import { redactUrl, type DatabaseUrl } from './url.js';

export interface PostgresOptions {
  /** Time to open a connection (ms, default 5 s). */
  readonly connectTimeoutMs?: number;
  /** Longest a statement may run, server-side and client-side (ms, default 30 s). */
  readonly statementTimeoutMs?: number;
  /** Connections at most (default 10). */
  readonly maxConnections?: number;
  /** Where to say that an idle connection broke (the pool replaces it). */
  readonly log?: (line: string) => void;
}

/**
 * Statements run often enough to be parsed and planned once per connection: `prepared(name, text)`
 * gives back the text, and every later run of that very text goes as the named prepared statement
 * (node-postgres prepares it on each connection the first time it runs there).
 */
const PREPARED = new Map<string, string>();

/** `text`, to be run as the prepared statement `name` (unique in the process) from now on. */
export function prepared(name: string, text: string): string {
  PREPARED.set(text, name);
  return text;
}

/** What a query runs on: the pool, or one connection inside a transaction. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Rows changed by an INSERT/UPDATE/DELETE. */
  execute(text: string, params?: readonly unknown[]): Promise<number>;
}

/** The database could not be reached, or stopped answering. */
export class DatabaseUnavailable extends Error {
  constructor(readonly redactedUrl: string, cause: unknown) {
    super(`PostgreSQL at ${redactedUrl} is unavailable: ${describe(cause, redactedUrl)}`);
  }
}

const INT8 = 20;

export class Postgres implements Queryable {
  private constructor(readonly url: DatabaseUrl, private readonly pool: pg.Pool) {}

  /** Open a pool and check the database answers; throws DatabaseUnavailable if not. */
  static async connect(url: DatabaseUrl, options: PostgresOptions = {}): Promise<Postgres> {
    const statementTimeout = options.statementTimeoutMs ?? 30_000;
    const pool = new pg.Pool({
      connectionString: url.url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      statement_timeout: statementTimeout,
      // The server-side timeout does not help when the server (or the network) is gone.
      query_timeout: statementTimeout + 5_000,
      idle_in_transaction_session_timeout: statementTimeout,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      // A start that fails after connecting (port taken, no sandbox) must not keep the process alive.
      allowExitOnIdle: true,
      application_name: 'lambkin',
      // BIGINT columns (sizes, counts) as numbers: every value lambkin stores fits in 2^53.
      types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 ? Number : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
    });
    // An idle connection that breaks (database restarted) must not crash the process: the pool
    // drops it and opens another when next needed.
    pool.on('error', (err) => options.log?.(`lambkin: PostgreSQL connection lost (${describe(err, url.redacted)}); reconnecting when needed`));
    const db = new Postgres(url, pool);
    try {
      await db.query('SELECT 1');
    } catch (err) {
      await pool.end().catch(() => undefined);
      // At start every failure means the same to the operator (down, wrong password, no such
      // database): name the database, so they know which URL to fix.
      throw err instanceof DatabaseUnavailable ? err : new DatabaseUnavailable(url.redacted, err);
    }
    return db;
  }

  async query<R extends object = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<R[]> {
    return (await this.run(this.pool, text, params)).rows as R[];
  }

  async execute(text: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.run(this.pool, text, params)).rowCount ?? 0;
  }

  /**
   * Run `work` in one transaction on one connection: committed if it resolves, rolled back if it
   * throws. REPEATABLE READ: every statement sees one snapshot (consistent reads of several
   * tables). SERIALIZABLE makes PostgreSQL refuse (40001) what a concurrent transaction made
   * stale; callers that use it retry.
   */
  async transaction<T>(work: (tx: Queryable) => Promise<T>, isolation: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE' = 'READ COMMITTED'): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.wrap(err);
    }
    const tx: Queryable = {
      query: async <R extends object>(text: string, params: readonly unknown[] = []) => (await this.run(client, text, params)).rows as R[],
      execute: async (text, params = []) => (await this.run(client, text, params)).rowCount ?? 0,
    };
    let broken = false;
    // A checked-out connection that breaks between two statements emits 'error' on the client,
    // not on the pool: unheard, that would end the process. The next statement fails instead.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await tx.execute(`BEGIN ISOLATION LEVEL ${isolation}`);
      const result = await work(tx);
      await tx.execute('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true; // the connection is gone: do not give it back to the pool
      });
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async run(on: pg.Pool | pg.PoolClient, text: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    try {
      const name = PREPARED.get(text);
      return await (name === undefined ? on.query(text, params as unknown[]) : on.query({ name, text, values: params as unknown[] }));
    } catch (err) {
      throw this.wrap(err);
    }
  }

  /** Errors of the connection become DatabaseUnavailable; errors of the statement pass as they are. */
  private wrap(err: unknown): Error {
    if (isConnectionError(err)) return new DatabaseUnavailable(this.url.redacted, err);
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** SQLSTATE of a failed statement (e.g. 23505 unique violation), if it is one. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('08') || code.startsWith('57P'))) return true;
  // node-postgres' own, without a code: a closed connection, a connect or query timeout.
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|connect ECONNREFUSED/i.test(message);
}

/** A driver error as one line, without the password even if the driver quoted the URL. */
function describe(err: unknown, redacted: string): string {
  const e = err as { message?: string; code?: string; errors?: unknown[] } | undefined;
  // Node's AggregateError (IPv4 and IPv6 both refused) has an empty message.
  const message = e?.message || (Array.isArray(e?.errors) ? e.errors.map((x) => (x as Error).message).join('; ') : '') || e?.code || String(err);
  void redacted;
  return redactUrl(message);
}
