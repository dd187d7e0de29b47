// The shapes of the API answers the console reads (README: "Logs and investigation API", "Console").
export type Outcome = 'success' | 'error' | 'timeout' | 'crash' | 'throttled';
export type WindowName = '15m' | '1h' | '24h' | '7d';

export interface FunctionConfiguration {
  readonly FunctionName: string;
  readonly Runtime: string;
  readonly Handler: string;
  readonly MemorySize: number;
  readonly Timeout: number;
  readonly CodeSize: number;
  readonly CodeSha256: string;
  readonly LastModified: string;
  readonly Version: string;
  readonly Description?: string;
  readonly RevisionId?: string;
  readonly EphemeralStorage?: { readonly Size: number };
  readonly Environment?: { readonly Variables?: Record<string, string> };
  readonly LoggingConfig?: { readonly LogFormat: string; readonly LogGroup: string };
  readonly LambkinLogging?: boolean;
  readonly LambkinSanitizeErrors?: boolean;
  readonly LambkinRecordPayloads?: boolean;
  readonly LambkinSingleUse?: boolean;
}

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

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

export interface OverviewRow extends Totals {
  readonly functionName: string;
  readonly environmentsNow: { readonly total: number; readonly busy: number };
  readonly spark: { readonly since: number; readonly step: number; readonly invocations: number[]; readonly errors: number[] };
}

export interface Point extends Totals {
  readonly t: number;
}

export interface Series {
  /** False while the server still reads the records stored before it started. */
  readonly complete: boolean;
  readonly since: number;
  readonly until: number;
  readonly step: number;
  readonly totals: Totals;
  readonly points: Point[];
}

export interface Invocation {
  readonly requestId: string;
  readonly functionName: string;
  readonly version: string;
  readonly envId?: string;
  readonly logStream?: string;
  readonly startedAt: number;
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

export interface LogLine {
  readonly eventId?: string;
  readonly timestamp: number;
  readonly logStream: string;
  readonly envId?: string;
  readonly requestId?: string;
  readonly level?: string;
  readonly message: string;
  readonly functionName?: string;
}

export interface ErrorGroup {
  readonly functionName: string;
  readonly errorType?: string;
  readonly message?: string;
  readonly sampleMessage?: string;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly latestRequestId: string;
}

export interface Environment {
  readonly id: string;
  readonly functionName: string;
  readonly version: string;
  readonly state: string;
  readonly busy: boolean;
  /** Idle and frozen: its processes get no CPU until its next invocation. */
  readonly frozen?: boolean;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly invocations: number;
  readonly logStream: string;
  readonly ageMs: number;
}

export interface Deploy {
  readonly at: number;
  readonly kind: string;
  readonly version?: string;
  readonly codeSha256?: string;
  readonly codeSize?: number;
  readonly runtime?: string;
  readonly handler?: string;
  readonly memorySize?: number;
  readonly timeout?: number;
}

export interface Payload {
  readonly event: string;
  readonly response: string;
  readonly truncated: boolean;
}
