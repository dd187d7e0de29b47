// The shapes of the API answers the console reads (README: "Logs and investigation API", "Console").
// Those the server's investigation and environments APIs answer with are defined once, in
// src/wire.ts: the console imports their types only (test/unit/console-layering.test.ts).
import type { EnvironmentView, ErrorGroupView, InvocationRecordView, LogEventView, TailLineView } from '../../src/wire.js';

export type { Outcome } from '../../src/wire.js';
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

export type Invocation = InvocationRecordView;

/** A line in a log list: a stored event (an invocation's lines) or a live tail line. */
export type LogLine = Pick<LogEventView & TailLineView, 'timestamp' | 'logStream' | 'envId' | 'requestId' | 'level' | 'message'> &
  Partial<Pick<LogEventView, 'eventId'>> & Partial<Pick<TailLineView, 'functionName'>>;

export type ErrorGroup = ErrorGroupView;

export type Environment = EnvironmentView;

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
