// Server configuration: flags win over LAMBKIN_* environment variables, which win over defaults.
// Every value is checked here, once, with a message that says what is wrong and what is allowed.
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseDatabaseUrl, type DatabaseUrl } from './database/url.js';
import { ConfigError } from './errors.js';
import {
  NETWORK_MODES, prestartFrom, regionFrom, SANDBOX_NAMES, SETTINGS, settingLabel, type NetworkMode, type SandboxName,
  type Setting, type SettingName,
} from './settings.js';

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
  readonly sandbox?: SandboxName;
  /** undefined: `isolated` under namespace. */
  readonly network?: NetworkMode;
  /** How often log retention is enforced (seconds; default 300). */
  readonly logSweepSeconds: number;
  /** Delays before the retries of a failed Event invocation (ms); Lambda's 60 s, 120 s by default. */
  readonly asyncRetryDelaysMs: readonly number[];
  /** Event invocations of one function running at once (default 8). */
  readonly asyncConcurrency: number;
  /** Length of one second of MaximumEventAgeInSeconds (ms, default 1000); only tests change it. */
  readonly asyncSecondMs: number;
  /** With --cluster: JetStream's ack wait for a held Event invocation (LAMBKIN_ASYNC_ACK_WAIT_MS). */
  readonly asyncAckWaitMs: number;
  /** With --cluster: deliveries of one event message before it is a dead letter (LAMBKIN_ASYNC_MAX_DELIVERIES). */
  readonly asyncMaxDeliveries: number;
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
  /** The region ARNs name (LAMBKIN_REGION). */
  readonly region: string;
  /** Pre-started sandboxes (off with LAMBKIN_PRESTART=off). */
  readonly prestart: boolean;
  /** --node-id / LAMBKIN_NODE_ID; undefined: the name kept in <dataDir>/node-id (node-name.ts). */
  readonly nodeId?: string;
  /** Set under --cluster: this server is one node of several (docs/cluster.md). */
  readonly cluster?: ClusterConfig;
  /**
   * Credentials given in the environment (LAMBKIN_ACCESS_KEY_ID / LAMBKIN_SECRET_ACCESS_KEY), as
   * read; credentials.ts checks them (both or neither) at start. Never printed.
   */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
}

export interface ClusterConfig {
  /** NATS server URLs (JetStream on), tried in turn. */
  readonly natsServers: readonly string[];
  /** The URL others reach this node at; undefined: the one it listens on. */
  readonly advertiseUrl?: string;
  /** ms after its last heartbeat that a node counts as gone (LAMBKIN_CLUSTER_TTL_MS). */
  readonly ttlMs: number;
  /** The direct links' port (0: any free one; docs/cluster.md, "Direct links"). */
  readonly directPort: number;
}

/** Flags as commander gives them (strings), before defaults; named as in SETTINGS. */
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
  readonly cluster?: boolean;
  readonly natsUrl?: string;
  readonly nodeId?: string;
  readonly advertise?: string;
}

// Where serve.ts, loading this module at run time, finds the class that the server throws.
export { ConfigError };

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
  return Math.max(16, Math.min(SETTINGS.maxConnections.default, Math.floor(fdLimit / 2)));
}

export function resolveConfig(flags: ServerFlags, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const raw = (name: SettingName): string | undefined => (flags as Record<string, string | undefined>)[name] ?? env[SETTINGS[name].env];
  const num = (name: SettingName, fallback?: number): number => {
    const s: Setting = SETTINGS[name];
    return int(raw(name), fallback ?? Number(s.default), s.min ?? 0, s.max ?? Number.MAX_SAFE_INTEGER, settingLabel(s));
  };
  const label = (name: SettingName) => settingLabel(SETTINGS[name]);
  return Object.freeze({
    host: raw('host') ?? SETTINGS.host.default,
    port: num('port'),
    dataDir: resolve(raw('dataDir') ?? SETTINGS.dataDir.default),
    idleTimeoutSeconds: num('idleTimeout'),
    maxConcurrency: num('maxConcurrency', defaultMaxConcurrency()),
    memoryBudgetMb: num('memoryBudget', defaultMemoryBudgetMb()),
    freezeAfterMs: env[SETTINGS.freezeAfter.env] === 'off' ? 'off' : num('freezeAfter'),
    initTimeoutSeconds: num('initTimeout'),
    sandbox: oneOf(raw('sandbox'), SANDBOX_NAMES, label('sandbox')),
    network: oneOf(raw('network'), NETWORK_MODES, label('network')),
    logSweepSeconds: num('logSweepInterval'),
    asyncRetryDelaysMs: delays(raw('asyncRetryDelays') || SETTINGS.asyncRetryDelays.default, label('asyncRetryDelays')),
    asyncConcurrency: num('asyncConcurrency'),
    asyncSecondMs: num('asyncSecond'),
    asyncAckWaitMs: num('asyncAckWait'),
    asyncMaxDeliveries: num('asyncMaxDeliveries'),
    deadLetterLimit: num('deadLetterLimit'),
    codeStorageLimit: bytes(raw('codeStorageLimit'), DEFAULT_CODE_STORAGE_LIMIT, label('codeStorageLimit')),
    maxConnections: num('maxConnections', defaultMaxConnections()),
    maxRequestBufferBytes: MB * num('maxRequestBuffer'),
    headersTimeoutMs: num('headersTimeout'),
    requestTimeoutMs: num('requestTimeout'),
    databaseUrl: databaseUrl(raw('databaseUrl')),
    region: regionFrom(env),
    prestart: prestartFrom(env),
    nodeId: nodeId(raw('nodeId')),
    cluster: cluster(flags.cluster === true || /^(1|true|on|yes)$/i.test(env[SETTINGS.cluster.env] ?? ''), raw, label, () => num('clusterTtl'), () => num('clusterDirectPort')),
    accessKeyId: env[SETTINGS.accessKeyId.env],
    secretAccessKey: env[SETTINGS.secretAccessKey.env],
  });
}

const NODE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function nodeId(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!NODE_ID.test(raw)) throw new ConfigError(`${settingLabel(SETTINGS.nodeId)} must be 1 to 128 letters, digits, '.', '_', ':' or '-', not '${raw}'`);
  return raw;
}

/** --cluster needs both engines: PostgreSQL for state, NATS for messages. */
function cluster(
  on: boolean, raw: (name: SettingName) => string | undefined, label: (name: SettingName) => string, ttlMs: () => number, directPort: () => number,
): ClusterConfig | undefined {
  const nats = raw('natsUrl');
  const advertise = raw('advertise');
  if (!on) {
    if (nats) throw new ConfigError(`${label('natsUrl')} is for a cluster node: add --cluster (or LAMBKIN_CLUSTER=1), or leave it out`);
    return undefined;
  }
  if (!raw('databaseUrl')) throw new ConfigError(`--cluster needs ${label('databaseUrl')}: every node keeps its state in the same PostgreSQL database`);
  if (!nats) throw new ConfigError(`--cluster needs ${label('natsUrl')}: nodes talk over NATS with JetStream, e.g. nats://127.0.0.1:4222`);
  const natsServers = nats.split(',').map((u) => u.trim()).filter(Boolean);
  for (const u of natsServers) {
    if (!/^(nats|tls):\/\/[^\s/]+(:\d+)?\/?$/.test(u)) throw new ConfigError(`${label('natsUrl')}: '${u}' is not a NATS URL such as nats://host:4222`);
  }
  if (advertise !== undefined && advertise !== '' && !/^https?:\/\/[^\s/]+(:\d+)?\/?$/.test(advertise)) {
    throw new ConfigError(`${label('advertise')} must be an http(s) URL such as http://10.0.0.5:9000, not '${advertise}'`);
  }
  return Object.freeze({ natsServers: Object.freeze(natsServers), advertiseUrl: advertise ? advertise.replace(/\/$/, '') : undefined, ttlMs: ttlMs(), directPort: directPort() });
}

function databaseUrl(raw: string | undefined): DatabaseUrl | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    return parseDatabaseUrl(raw);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`--database-url / LAMBKIN_DATABASE_URL: ${err.message}`);
    throw err;
  }
}

/** `60000,120000` → [60000, 120000]: one delay (ms) per retry, 0 to 1 hour each. */
function delays(raw: string, what: string): readonly number[] {
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
