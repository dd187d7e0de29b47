// The JSON shapes of lambkin's own HTTP APIs (/lambkin/v1/…: investigation, environments, live
// tail, the console's numbers, async queue, runtimes) and of the Lambda API's FunctionConfiguration,
// defined once. The server's handlers are typed to produce them, and the
// typed client (client/) and the web console (console/src/types.ts) read them. (The client reads
// Lambda's FunctionConfiguration with a looser type of its own, client/types.ts: it also talks to
// older servers, whose answers may lack fields this one always sends.)
// Types only, no imports and no code: the console is a separate trust boundary that may import
// this file's types and nothing else from src/ (test/unit/console-layering.test.ts).

export type Outcome = 'success' | 'error' | 'timeout' | 'crash' | 'throttled';
export type LogLevelName = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL' | 'PLATFORM';

/** One stored log line (GET /lambkin/v1/events, an invocation's lines). */
export interface LogEventView {
  readonly eventId: string;
  readonly timestamp: number;
  readonly time: string;
  readonly ingestionTime: number;
  readonly logStream: string;
  readonly envId?: string;
  readonly requestId?: string;
  readonly level?: LogLevelName;
  readonly message: string;
}

/** One line of the console's live tail (GET /lambkin/v1/tail, `event: log`). */
export interface TailLineView {
  readonly timestamp: number;
  readonly logGroup: string;
  /** Set for a function's group (/aws/lambda/<name>). */
  readonly functionName?: string;
  readonly logStream: string;
  readonly envId?: string;
  readonly requestId?: string;
  readonly level?: LogLevelName;
  readonly message: string;
}

/** One invocation's record (GET /lambkin/v1/invocations). */
export interface InvocationRecordView {
  readonly requestId: string;
  readonly functionName: string;
  readonly version: string;
  readonly envId?: string;
  readonly logStream?: string;
  readonly startedAt: number;
  readonly startedAtIso: string;
  readonly cold: boolean;
  readonly initMs?: number;
  readonly durationMs: number;
  readonly billedMs: number;
  readonly memoryMb: number;
  readonly maxMemoryUsedMb?: number;
  readonly outcome: Outcome;
  readonly errorType?: string;
  readonly errorMessage?: string;
}

/** One invocation and a page of its log lines (GET /lambkin/v1/invocations/{requestId}). */
export interface InvocationPageView {
  /** Null when only log lines are known. */
  readonly invocation: InvocationRecordView | null;
  readonly events: readonly LogEventView[];
  /** Set when more lines follow: pass it back as `after`. */
  readonly next?: string;
}

/** Failures of one shape: same function, error type and normalised message (GET /lambkin/v1/errors). */
export interface ErrorGroupView {
  readonly functionName: string;
  readonly errorType?: string;
  /** Normalised: numbers, ids and hex replaced. */
  readonly message?: string;
  /** The latest one's, as it was. */
  readonly sampleMessage?: string;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly latestRequestId: string;
}

/** GET /lambkin/v1/stats. */
export interface FunctionStatsView {
  readonly functionName: string;
  readonly since?: number;
  readonly until?: number;
  readonly invocations: number;
  readonly errors: number;
  readonly errorsByType: Readonly<Record<string, number>>;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly coldStarts: number;
  readonly durationMs?: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number; readonly avg: number };
  readonly initMs?: { readonly p50: number; readonly max: number };
  readonly maxMemoryUsedMb?: number;
  readonly memoryMb?: number;
}

/** An execution environment as the scheduler describes it. */
export interface EnvironmentSummary {
  readonly id: string;
  readonly functionName: string;
  readonly version: string;
  readonly state: string;
  readonly busy: boolean;
  /** Idle and frozen: none of its processes gets CPU until its next invocation. */
  readonly frozen: boolean;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly invocations: number;
  readonly logStream: string;
}

/** GET /lambkin/v1/environments: the summary and its age when answered. */
export interface EnvironmentView extends EnvironmentSummary {
  readonly ageMs: number;
  /** On a cluster: the node it runs on (absent on a single server). */
  readonly node?: string;
}

/** GET /lambkin/v1/environments' answer. */
export interface EnvironmentList {
  readonly environments: readonly EnvironmentView[];
  /** On a cluster: the live nodes that did not answer in time (their environments are missing from the list). */
  readonly unanswered?: readonly string[];
}

/** DELETE /lambkin/v1/environments/{id}'s answer (202). */
export interface EnvironmentStopped {
  readonly id: string;
  readonly stopping: true;
  /** On a cluster: the node it runs on. */
  readonly node?: string;
}

// The console's API (GET /lambkin/v1/overview, timeseries, deploys, invocations/{id}/payload).

/** The windows the console's numbers are summed over. */
export type WindowName = '15m' | '1h' | '24h' | '7d';

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** Sums over a window, or over one point of a chart. */
export interface Totals {
  readonly invocations: number;
  readonly errors: number;
  readonly throttles: number;
  readonly coldStarts: number;
  readonly initMsAvg?: number;
  readonly initMsMax?: number;
  readonly maxMemoryUsedMb?: number;
  readonly memoryMb?: number;
  readonly environments: number;
  readonly durationMs?: Percentiles;
}

/** One function in GET /lambkin/v1/overview's `functions`. */
export interface OverviewRow extends Totals {
  readonly functionName: string;
  readonly environmentsNow: { readonly total: number; readonly busy: number };
  readonly spark: { readonly since: number; readonly step: number; readonly invocations: readonly number[]; readonly errors: readonly number[] };
}

export interface Point extends Totals {
  readonly t: number;
}

/** GET /lambkin/v1/timeseries. */
export interface Series {
  readonly functionName: string;
  readonly window: WindowName;
  /** False while the server still reads the records stored before it started. */
  readonly complete: boolean;
  readonly since: number;
  readonly until: number;
  readonly step: number;
  readonly totals: Totals;
  readonly points: readonly Point[];
}

/** GET /lambkin/v1/error-trends: each error group's counts per step over the window, most frequent first. */
export interface ErrorTrendsView {
  readonly window: WindowName;
  readonly since: number;
  readonly step: number;
  readonly complete: boolean;
  readonly groups: readonly { readonly functionName: string; readonly errorType: string; readonly message: string; readonly counts: readonly number[] }[];
  /** True when more groups than `limit` had errors. */
  readonly more: boolean;
}

/** One entry of GET /lambkin/v1/deploys: a create, code or configuration update, publish or delete. */
export interface DeployView {
  readonly functionName: string;
  readonly at: number;
  readonly kind: 'create' | 'code' | 'configuration' | 'publish' | 'delete';
  readonly version?: string;
  readonly codeSha256?: string;
  readonly codeSize?: number;
  readonly revisionId?: string;
  readonly runtime?: string;
  readonly handler?: string;
  readonly memorySize?: number;
  readonly timeout?: number;
}

/** GET /lambkin/v1/invocations/{requestId}/payload: the recorded event and response, each cut to 64 KiB. */
export interface PayloadView {
  readonly requestId: string;
  readonly event: string;
  readonly response: string;
  readonly truncated: boolean;
}

// The async queue (GET /lambkin/v1/async-queue, GET /lambkin/v1/functions/{name}/dead-letters).

export interface QueueDepthView {
  readonly queued: number;
  readonly running: number;
  readonly functions: readonly {
    readonly name: string;
    readonly queued: number;
    readonly running: number;
    readonly deadLetters: number;
    /** Dead letters removed, oldest first, to keep the list within the server's cap. */
    readonly deadLettersDropped?: number;
  }[];
}

export interface DeadLetterView {
  readonly requestId: string;
  readonly functionArn: string;
  /** RetriesExhausted | EventAgeExceeded */
  readonly condition: string;
  readonly attempts: number;
  readonly enqueuedAt: number;
  readonly failedAt: number;
  readonly errorType?: string;
  readonly errorMessage?: string;
  /** The event, as it was sent. */
  readonly payload: string;
}

export interface DeadLetterPageView {
  readonly deadLetters: readonly DeadLetterView[];
  /** Give it as `marker` for the next page; absent on the last one. */
  readonly nextMarker?: string;
}

/** One runtime of GET /lambkin/v1/runtimes: its ids and whether this server can run it. */
export interface RuntimeView {
  readonly name: string;
  readonly family: string;
  readonly ids: readonly string[];
  readonly status: 'installed' | 'missing' | 'unavailable';
  /** What to install (missing), or why it cannot run here and what to do instead (unavailable). */
  readonly hint?: string;
  /** The interpreter that runs it, e.g. "ruby 3.1.2", "openjdk 17.0.15". */
  readonly version?: string;
}

/** A node's capacity and what it holds (the scheduler counts it; heartbeats carry it). */
export interface NodeUsage {
  readonly maxConcurrency: number;
  /** MB; Infinity when there is no budget. */
  readonly memoryBudgetMb: number;
  /** MemorySize of its environments (idle, busy, starting). */
  readonly memoryUsedMb: number;
  /** Idle environments. */
  readonly warm: number;
  /** Environments running an invocation. */
  readonly busy: number;
  /** Invocations it is running. */
  readonly inflight: number;
}

/** One node of a cluster (GET /lambkin/v1/nodes; a single node lists itself), as the answering node last heard of it. */
export interface NodeInfo extends NodeUsage {
  readonly id: string;
  /** --advertise, or the URL it listens on. */
  readonly url: string;
  /** lambkin's package version. */
  readonly version: string;
  /** ms epoch. */
  readonly startedAt: number;
  /** ms epoch, when this view last heard of it (the receiver's clock). */
  readonly heartbeatAt: number;
}

// The Lambda API.

/** A function as the Lambda API answers it (GetFunctionConfiguration, ListFunctions, …; api/lambda/wire.ts). */
export interface FunctionConfiguration {
  readonly FunctionName: string;
  readonly FunctionArn: string;
  readonly Runtime: string;
  readonly Role: string;
  readonly Handler: string;
  readonly CodeSize: number;
  readonly Description: string;
  readonly Timeout: number;
  readonly MemorySize: number;
  readonly LastModified: string;
  readonly CodeSha256: string;
  readonly Version: string;
  readonly Environment?: { readonly Variables: Readonly<Record<string, string>> };
  readonly TracingConfig: { readonly Mode: 'Active' | 'PassThrough' };
  readonly KMSKeyArn?: string;
  readonly VpcConfig?: { readonly SubnetIds: readonly string[]; readonly SecurityGroupIds: readonly string[]; readonly VpcId: string; readonly Ipv6AllowedForDualStack: boolean };
  readonly DeadLetterConfig?: { readonly TargetArn: string };
  readonly RevisionId: string;
  readonly State: 'Active';
  readonly LastUpdateStatus: 'Successful';
  readonly PackageType: 'Zip';
  readonly Architectures: readonly string[];
  readonly EphemeralStorage: { readonly Size: number };
  readonly SnapStart: { readonly ApplyOn: 'None' | 'PublishedVersions'; readonly OptimizationStatus: 'Off' };
  readonly LoggingConfig: {
    readonly LogFormat: 'Text' | 'JSON';
    readonly LogGroup: string;
    readonly ApplicationLogLevel?: string;
    readonly SystemLogLevel?: string;
  };
  /** lambkin extensions, present only when they differ from the default. */
  readonly LambkinLogging?: false;
  readonly LambkinSanitizeErrors?: true;
  readonly LambkinSingleUse?: true;
  readonly LambkinRecordPayloads?: true;
  readonly LambkinEgress?: { readonly Mode: 'public' | 'all' | 'none'; readonly Allow: readonly string[] };
  readonly Layers?: readonly { readonly Arn: string; readonly CodeSize: number }[];
}

/** A function URL's Cors configuration, as the Lambda API takes and answers it (and the URL applies it). */
export interface FunctionUrlCors {
  readonly AllowCredentials?: boolean;
  readonly AllowHeaders?: readonly string[];
  readonly AllowMethods?: readonly string[];
  readonly AllowOrigins?: readonly string[];
  readonly ExposeHeaders?: readonly string[];
  readonly MaxAge?: number;
}

/** LambkinEgress as the Lambda API takes it (CreateFunction, UpdateFunctionConfiguration); a member left out takes its default. */
export interface EgressWire {
  readonly Mode?: 'public' | 'all' | 'none';
  readonly Allow?: readonly string[];
}
