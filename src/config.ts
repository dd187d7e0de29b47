// Server configuration: flags win over LAMBKIN_* environment variables, which win over defaults.
// Every value is checked here, once, with a message that says what is wrong and what is allowed.
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import { DatabaseUrlError, parseDatabaseUrl, type DatabaseUrl } from './database/url.js';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly idleTimeoutSeconds: number;
  readonly maxConcurrency: number;
  /** MB: the MemorySize of all environments together (idle, busy, starting); default 75 % of RAM. */
  readonly memoryBudgetMb: number;
  /** ms an environment stays idle before it is frozen; 'off': never frozen. Default 100. */
  readonly freezeAfterMs: number | 'off';
  readonly initTimeoutSeconds: number;
  /** undefined: `namespace` where bubblewrap works, else `process` (with a warning). */
  readonly sandbox?: 'namespace' | 'process';
  /** undefined: `isolated` under namespace. */
  readonly network?: 'isolated' | 'none' | 'host';
  /** How often log retention is enforced (seconds; default 300). */
  readonly logSweepSeconds?: number;
  /** Delays before the retries of a failed Event invocation (ms); Lambda's 60 s, 120 s by default. */
  readonly asyncRetryDelaysMs?: readonly number[];
  /** Event invocations of one function running at once (default 8). */
  readonly asyncConcurrency?: number;
  /** Length of one second of MaximumEventAgeInSeconds (ms, default 1000); only tests change it. */
  readonly asyncSecondMs?: number;
  /** Dead letters kept per function; past it the oldest go (default 10,000). */
  readonly deadLetterLimit?: number;
  /** Bytes of code (zips of $LATEST and every version) all functions together may store (75 GB). */
  readonly codeStorageLimit?: number;
  /** Open connections to the main port at most (default 2048, or half the fd limit); idle ones are closed first near it. */
  readonly maxConnections: number;
  /** Bytes of request bodies held in memory at once, server-wide (default 256 MB). */
  readonly maxRequestBufferBytes: number;
  /** Time to receive a request's headers (ms, default 20 s; env LAMBKIN_HEADERS_TIMEOUT_MS). */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request, body included (ms, default 300 s; env LAMBKIN_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
  /** PostgreSQL for the stores that support it; undefined: SQLite files in dataDir (the default). */
  readonly databaseUrl?: DatabaseUrl;
}

/** Flags as commander gives them (strings), before defaults. */
export interface ServerFlags {
  readonly host?: string;
  readonly port?: string;
  readonly dataDir?: string;
  readonly idleTimeout?: string;
  readonly maxConcurrency?: string;
  readonly memoryBudget?: string;
  readonly initTimeout?: string;
  readonly sandbox?: string;
  readonly network?: string;
  readonly logSweepInterval?: string;
  readonly asyncRetryDelays?: string;
  readonly asyncConcurrency?: string;
  readonly deadLetterLimit?: string;
  readonly codeStorageLimit?: string;
  readonly maxConnections?: string;
  readonly maxRequestBuffer?: string;
  readonly databaseUrl?: string;
}

export class ConfigError extends Error {}

/** Lambda's default quota of code storage per account and region: 75 GB. */
export const DEFAULT_CODE_STORAGE_LIMIT = 75 * 1024 ** 3;
const MB = 1024 * 1024;

/** Three quarters of the machine's memory, MB: room for the server itself and the rest of the machine. */
export function defaultMemoryBudgetMb(): number {
  return Math.max(128, Math.floor((totalmem() * 0.75) / (1024 * 1024)));
}

/** One environment per 128 MB of the machine's memory, at most 1000 (Lambda's default quota). */
export function defaultMaxConcurrency(): number {
  return Math.max(1, Math.min(1000, Math.floor(totalmem() / (128 * 1024 * 1024))));
}

/**
 * 2048, or half the process' file descriptor limit if that is lower: the other half stays for
 * environments (pipes, Runtime API sockets), the stores and the code being unpacked.
 */
export function defaultMaxConnections(): number {
  let fdLimit = Infinity;
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) fdLimit = Number(m[1]);
  } catch {
    // not Linux: Node's own limit applies
  }
  return Math.max(16, Math.min(2048, Math.floor(fdLimit / 2)));
}

export function resolveConfig(flags: ServerFlags, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const pick = (flag: string | undefined, name: string) => flag ?? env[`LAMBKIN_${name}`];
  return Object.freeze({
    host: pick(flags.host, 'HOST') ?? '127.0.0.1',
    port: int(pick(flags.port, 'PORT'), 9000, 0, 65535, '--port / LAMBKIN_PORT'),
    dataDir: resolve(pick(flags.dataDir, 'DATA_DIR') ?? '.lambkin'),
    idleTimeoutSeconds: int(pick(flags.idleTimeout, 'IDLE_TIMEOUT'), 600, 1, 3600, '--idle-timeout / LAMBKIN_IDLE_TIMEOUT (seconds)'),
    maxConcurrency: int(pick(flags.maxConcurrency, 'MAX_CONCURRENCY'), defaultMaxConcurrency(), 1, 100_000, '--max-concurrency / LAMBKIN_MAX_CONCURRENCY'),
    memoryBudgetMb: int(pick(flags.memoryBudget, 'MEMORY_BUDGET'), defaultMemoryBudgetMb(), 128, 100_000_000, '--memory-budget / LAMBKIN_MEMORY_BUDGET (MB)'),
    freezeAfterMs: env.LAMBKIN_FREEZE_AFTER_MS === 'off' ? 'off' : int(env.LAMBKIN_FREEZE_AFTER_MS, 100, 0, 3_600_000, "LAMBKIN_FREEZE_AFTER_MS (ms, or 'off')"),
    initTimeoutSeconds: int(pick(flags.initTimeout, 'INIT_TIMEOUT'), 10, 1, 900, '--init-timeout / LAMBKIN_INIT_TIMEOUT (seconds)'),
    sandbox: oneOf(pick(flags.sandbox, 'SANDBOX'), ['namespace', 'process'] as const, '--sandbox / LAMBKIN_SANDBOX'),
    network: oneOf(pick(flags.network, 'NETWORK'), ['isolated', 'none', 'host'] as const, '--network / LAMBKIN_NETWORK'),
    logSweepSeconds: int(pick(flags.logSweepInterval, 'LOG_SWEEP_INTERVAL'), 300, 1, 86_400, '--log-sweep-interval / LAMBKIN_LOG_SWEEP_INTERVAL (seconds)'),
    asyncRetryDelaysMs: delays(pick(flags.asyncRetryDelays, 'ASYNC_RETRY_DELAYS_MS'), '--async-retry-delays / LAMBKIN_ASYNC_RETRY_DELAYS_MS'),
    asyncConcurrency: int(pick(flags.asyncConcurrency, 'ASYNC_CONCURRENCY'), 8, 1, 10_000, '--async-concurrency / LAMBKIN_ASYNC_CONCURRENCY'),
    asyncSecondMs: int(env.LAMBKIN_ASYNC_SECOND_MS, 1000, 1, 1000, 'LAMBKIN_ASYNC_SECOND_MS'),
    deadLetterLimit: int(pick(flags.deadLetterLimit, 'DEAD_LETTER_LIMIT'), 10_000, 1, 10_000_000, '--dead-letter-limit / LAMBKIN_DEAD_LETTER_LIMIT'),
    codeStorageLimit: bytes(pick(flags.codeStorageLimit, 'CODE_STORAGE_LIMIT'), DEFAULT_CODE_STORAGE_LIMIT, '--code-storage-limit / LAMBKIN_CODE_STORAGE_LIMIT'),
    maxConnections: int(pick(flags.maxConnections, 'MAX_CONNECTIONS'), defaultMaxConnections(), 16, 1_000_000, '--max-connections / LAMBKIN_MAX_CONNECTIONS'),
    maxRequestBufferBytes: MB * int(pick(flags.maxRequestBuffer, 'MAX_REQUEST_BUFFER_MB'), 256, 8, 1_000_000, '--max-request-buffer / LAMBKIN_MAX_REQUEST_BUFFER_MB (MB)'),
    headersTimeoutMs: int(env.LAMBKIN_HEADERS_TIMEOUT_MS, 20_000, 100, 600_000, 'LAMBKIN_HEADERS_TIMEOUT_MS'),
    requestTimeoutMs: int(env.LAMBKIN_REQUEST_TIMEOUT_MS, 300_000, 100, 3_600_000, 'LAMBKIN_REQUEST_TIMEOUT_MS'),
    databaseUrl: databaseUrl(pick(flags.databaseUrl, 'DATABASE_URL')),
  });
}

function databaseUrl(raw: string | undefined): DatabaseUrl | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    return parseDatabaseUrl(raw);
  } catch (err) {
    if (err instanceof DatabaseUrlError) throw new ConfigError(`--database-url / LAMBKIN_DATABASE_URL: ${err.message}`);
    throw err;
  }
}

/** `60000,120000` → [60000, 120000]: one delay (ms) per retry, 0 to 1 hour each. */
function delays(raw: string | undefined, what: string): readonly number[] {
  if (raw === undefined || raw === '') return [60_000, 120_000];
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length > 2 || parts.some((p) => !/^\d+$/.test(p) || Number(p) > 3_600_000)) {
    throw new ConfigError(`${what} must be one or two delays in milliseconds (0 to 3600000), comma-separated, e.g. 60000,120000; not '${raw}'`);
  }
  return Object.freeze(parts.map(Number));
}

/** `80530636800`, `75G`, `512M`, `64K` (binary units, as Lambda's quotas are) → bytes. */
function bytes(raw: string | undefined, fallback: number, what: string): number {
  if (raw === undefined || raw === '') return fallback;
  const m = /^(\d+)([KMGT]?)$/i.exec(raw.trim());
  const n = m ? Number(m[1]) * 1024 ** ' KMGT'.indexOf((m[2] || ' ').toUpperCase()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ConfigError(`${what} must be a size in bytes, or with a K, M, G or T suffix (binary units), e.g. 75G; not '${raw}'`);
  }
  return n;
}

function oneOf<T extends string>(raw: string | undefined, allowed: readonly T[], what: string): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${what} must be one of ${allowed.join(', ')}, not '${raw}'`);
  return raw as T;
}

function int(raw: string | undefined, fallback: number, min: number, max: number, what: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${what} must be a whole number from ${min} to ${max}, not '${raw}'`);
  }
  return n;
}
