// Every server setting, once: its flag (if it has one), its LAMBKIN_* variable, its default as
// shown to people, its range and its help text. config.ts resolves values from this table,
// `lambkin serve --help` is generated from it (cli/serve.ts), and test/unit/settings-readme.test.ts
// checks the README's configuration table against it (the README keeps its longer prose).

/** The sandbox backends a server can use: `namespace` (bubblewrap) or `process`. */
export const SANDBOX_NAMES = ['namespace', 'process'] as const;
export type SandboxName = (typeof SANDBOX_NAMES)[number];

/** Networks under the namespace sandbox. */
export const NETWORK_MODES = ['isolated', 'none', 'host'] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

export interface Setting {
  /** The LAMBKIN_* environment variable. */
  readonly env: string;
  /** `--flag <arg>` of `lambkin serve`; none: set by the variable only. */
  readonly flag?: string;
  /** What the value is measured in, named in error messages (e.g. `seconds`). */
  readonly unit?: string;
  /** Whole numbers: the range accepted. */
  readonly min?: number;
  readonly max?: number;
  /** The default, where it is one fixed value. */
  readonly default?: number | string;
  /** The default as the README shows it, where it is not one fixed value (markdown). */
  readonly defaultText?: string;
  /** One line for `lambkin serve --help`. */
  readonly help: string;
}

export const SETTINGS = {
  host: { env: 'LAMBKIN_HOST', flag: '--host <host>', default: '127.0.0.1', help: 'address to listen on' },
  port: { env: 'LAMBKIN_PORT', flag: '--port <port>', min: 0, max: 65535, default: 9000, help: 'port to listen on, 0 = any free one' },
  dataDir: { env: 'LAMBKIN_DATA_DIR', flag: '--data-dir <dir>', default: '.lambkin', defaultText: '`./.lambkin`', help: 'where functions, code and logs are kept' },
  idleTimeout: {
    env: 'LAMBKIN_IDLE_TIMEOUT', flag: '--idle-timeout <seconds>', unit: 'seconds', min: 1, max: 3600, default: 600,
    help: 'stop an environment idle this long, 1-3600',
  },
  maxConcurrency: {
    env: 'LAMBKIN_MAX_CONCURRENCY', flag: '--max-concurrency <n>', min: 1, max: 100_000, defaultText: 'one per 128 MB of RAM, ≤ 1000',
    help: 'environments running at once, server-wide',
  },
  memoryBudget: {
    env: 'LAMBKIN_MEMORY_BUDGET', flag: '--memory-budget <MB>', unit: 'MB', min: 128, max: 100_000_000, defaultText: '75 % of RAM',
    help: 'MemorySize of all environments together, idle ones included; over it the least recently used idle ones stop, then invokes are throttled',
  },
  freezeAfter: {
    env: 'LAMBKIN_FREEZE_AFTER_MS', unit: "ms, or 'off'", min: 0, max: 3_600_000, default: 100,
    help: "ms an idle environment runs before it is frozen; 'off': never",
  },
  initTimeout: {
    env: 'LAMBKIN_INIT_TIMEOUT', flag: '--init-timeout <seconds>', unit: 'seconds', min: 1, max: 900, default: 10,
    help: 'longest a runtime may take to initialise',
  },
  sandbox: {
    env: 'LAMBKIN_SANDBOX', flag: '--sandbox <backend>', defaultText: '`namespace` where bubblewrap works, else `process`',
    help: 'namespace (bubblewrap; the default where it works) or process',
  },
  network: {
    env: 'LAMBKIN_NETWORK', flag: '--network <mode>', defaultText: '`isolated`',
    help: 'under namespace: isolated (default), none or host',
  },
  accessKeyId: { env: 'LAMBKIN_ACCESS_KEY_ID', defaultText: 'none', help: 'with LAMBKIN_SECRET_ACCESS_KEY: require SigV4-signed requests' },
  secretAccessKey: { env: 'LAMBKIN_SECRET_ACCESS_KEY', defaultText: 'none', help: 'with LAMBKIN_ACCESS_KEY_ID: require SigV4-signed requests' },
  region: { env: 'LAMBKIN_REGION', default: 'us-east-1', help: 'the region in ARNs' },
  prestart: { env: 'LAMBKIN_PRESTART', defaultText: 'on', help: "'off': no pre-started sandboxes" },
  asyncRetryDelays: {
    env: 'LAMBKIN_ASYNC_RETRY_DELAYS_MS', flag: '--async-retry-delays <ms,ms>', default: '60000,120000',
    help: 'delays before the 1st and 2nd retry of a failed Event invocation',
  },
  logSweepInterval: {
    env: 'LAMBKIN_LOG_SWEEP_INTERVAL', flag: '--log-sweep-interval <seconds>', unit: 'seconds', min: 1, max: 86_400, default: 300,
    help: 'how often log retention is enforced, 1-86400',
  },
  asyncConcurrency: {
    env: 'LAMBKIN_ASYNC_CONCURRENCY', flag: '--async-concurrency <n>', min: 1, max: 10_000, default: 8,
    help: 'Event invocations of one function running at once',
  },
  deadLetterLimit: {
    env: 'LAMBKIN_DEAD_LETTER_LIMIT', flag: '--dead-letter-limit <n>', min: 1, max: 10_000_000, default: 10000,
    help: 'dead letters kept per function; past it the oldest go',
  },
  codeStorageLimit: {
    env: 'LAMBKIN_CODE_STORAGE_LIMIT', flag: '--code-storage-limit <size>', default: '75G',
    help: 'total size of stored code zips, every version counted, e.g. 75G (as Lambda)',
  },
  asyncSecond: {
    env: 'LAMBKIN_ASYNC_SECOND_MS', min: 1, max: 1000, default: 1000,
    help: 'for tests only: how long a second of MaximumEventAgeInSeconds lasts (ms)',
  },
  maxConnections: {
    env: 'LAMBKIN_MAX_CONNECTIONS', flag: '--max-connections <n>', min: 16, max: 1_000_000, default: 2048,
    help: 'open connections to the API port at most; idle ones are closed first near it',
  },
  maxRequestBuffer: {
    env: 'LAMBKIN_MAX_REQUEST_BUFFER_MB', flag: '--max-request-buffer <MB>', unit: 'MB', min: 8, max: 1_000_000, default: 256,
    help: 'request bodies held in memory at once, server-wide, in MB',
  },
  headersTimeout: {
    env: 'LAMBKIN_HEADERS_TIMEOUT_MS', min: 100, max: 600_000, default: 20000, help: 'time a client has to send a request\'s headers (ms)',
  },
  requestTimeout: {
    env: 'LAMBKIN_REQUEST_TIMEOUT_MS', min: 100, max: 3_600_000, default: 300000, help: 'time a client has to send a whole request (ms)',
  },
  databaseUrl: {
    env: 'LAMBKIN_DATABASE_URL', flag: '--database-url <url>', defaultText: 'none (SQLite in the data dir)',
    help: 'keep functions in PostgreSQL, postgres://user:password@host:5432/db',
  },
  cluster: {
    env: 'LAMBKIN_CLUSTER', flag: '--cluster', defaultText: 'off',
    help: "run as one node of a cluster (needs --database-url and --nats-url); LAMBKIN_CLUSTER=1",
  },
  natsUrl: {
    env: 'LAMBKIN_NATS_URL', flag: '--nats-url <url>', defaultText: 'none',
    help: 'with --cluster: NATS server(s) with JetStream, nats://host:4222 (comma-separated for several)',
  },
  nodeId: {
    env: 'LAMBKIN_NODE_ID', flag: '--node-id <id>', defaultText: 'made once, kept in `<data-dir>/node-id`',
    help: "this node's name in a cluster (letters, digits, . _ : -)",
  },
  advertise: {
    env: 'LAMBKIN_ADVERTISE_URL', flag: '--advertise <url>', defaultText: 'the URL it listens on',
    help: 'with --cluster: the URL other nodes and clients reach this node at',
  },
  clusterTtl: {
    env: 'LAMBKIN_CLUSTER_TTL_MS', min: 300, max: 600_000, default: 5000,
    help: 'with --cluster: a node not heard from for this long (ms) is gone; heartbeats go every TTL/5 (at most 1 s)',
  },
  clusterDirectPort: {
    env: 'LAMBKIN_CLUSTER_DIRECT_PORT', min: 0, max: 65535, default: 0, defaultText: 'any free port',
    help: "with --cluster: the TCP port (on --host) of this node's direct links, which other nodes dial to hand it warm invocations",
  },
  asyncAckWait: {
    env: 'LAMBKIN_ASYNC_ACK_WAIT_MS', min: 1000, max: 600_000, default: 30000,
    help: 'with --cluster: an Event invocation held by a node not heard from for this long (ms) goes to another node',
  },
  asyncMaxDeliveries: {
    env: 'LAMBKIN_ASYNC_MAX_DELIVERIES', min: 2, max: 100, default: 5,
    help: 'with --cluster: times an Event invocation may be handed to a node; past it, it is kept as a dead letter (Lambkin.DeliveryLimitExceeded)',
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/** The default as the README shows it: `600`, or the words for a default that depends. */
export function defaultText(s: Setting): string {
  return s.defaultText ?? `\`${s.default}\``;
}

/** How a setting is named in messages: `--port / LAMBKIN_PORT`, `LAMBKIN_FREEZE_AFTER_MS (ms, or 'off')`. */
export function settingLabel(s: Setting): string {
  const flag = s.flag ? `${s.flag.split(' ')[0]} / ` : '';
  return `${flag}${s.env}${s.unit ? ` (${s.unit})` : ''}`;
}

/** The region every ARN names (LAMBKIN_REGION, default us-east-1). */
export function regionFrom(env: NodeJS.ProcessEnv): string {
  return env[SETTINGS.region.env] || 'us-east-1';
}

/** Pre-started sandboxes: on unless LAMBKIN_PRESTART=off. */
export function prestartFrom(env: NodeJS.ProcessEnv): boolean {
  return env[SETTINGS.prestart.env] !== 'off';
}

/**
 * What every environment inherits of the server's own environment, whatever its function: PATH
 * and LANG (with defaults for a server started without them), and TZ, always UTC as on Lambda.
 * One definition for the two places that start runtimes: environment/env-vars.ts and the
 * pre-start pool (sandbox/prestart/pool.ts), whose spares must start as their environment would.
 */
export function inheritedEnvironment(env: NodeJS.ProcessEnv = process.env): { readonly PATH: string; readonly LANG: string; readonly TZ: string } {
  return { PATH: env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LANG: env.LANG ?? 'en_US.UTF-8', TZ: 'UTC' };
}
