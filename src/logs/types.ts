// What the rest of lambkin hands to the logs: events of a function's output and platform lines,
// and one structured record per invocation. Implementations batch and store them off the hot path.

import type { LogLevelName, Outcome as WireOutcome } from '../wire.js';

// The level and outcome names are part of the investigation API's JSON: one definition, in wire.ts.
export type LogLevel = LogLevelName;

export interface LogEvent {
  readonly timestamp: number; // epoch ms
  readonly group: string; // /aws/lambda/<function>
  readonly stream: string; // YYYY/MM/DD/[<version>]<32 hex>
  readonly envId: string;
  readonly requestId: string | undefined;
  readonly level: LogLevel | undefined;
  readonly message: string;
  /**
   * Set on an invocation's START, END and REPORT by the environment that writes them: the store
   * keeps the three in the invocation's record (platform-places.ts). Undefined on every other line.
   */
  readonly platform?: PlatformMark;
}

/** Which of an invocation's platform lines an event is. */
export type PlatformMark = 'start' | 'end' | 'report';

export interface StreamInfo {
  readonly group: string;
  readonly stream: string;
  readonly functionName: string;
  readonly version: string;
  readonly envId: string;
  readonly createdAt: number;
}

export type Outcome = WireOutcome;

export interface InvocationRecord {
  readonly requestId: string;
  readonly functionName: string;
  readonly version: string;
  readonly envId: string | undefined;
  readonly logStream: string | undefined;
  readonly startedAt: number; // epoch ms
  readonly cold: boolean;
  readonly initMs: number | undefined;
  readonly durationMs: number;
  readonly billedMs: number;
  readonly memoryMb: number;
  readonly maxMemoryUsedMb: number | undefined;
  readonly outcome: Outcome;
  readonly errorType: string | undefined;
  readonly errorMessage: string | undefined;
  /**
   * The event and the response, for functions that opted in (LambkinRecordPayloads). Taken off
   * before the log store (api/console-api/payloads.ts): the console's store keeps them.
   */
  readonly recorded?: RecordedPayload;
}

/** What one invocation was given and gave back, each cut to MAX_RECORDED_PAYLOAD bytes. */
export interface RecordedPayload {
  readonly event: string;
  readonly response: string;
  readonly truncated: boolean;
}

/** Cap on each of a recorded event and response (bytes of UTF-8; a cut may split a character). */
export const MAX_RECORDED_PAYLOAD = 64 * 1024;

export interface LogSink {
  streamCreated(info: StreamInfo): void;
  /** Queue an event (or drop it, when its environment writes faster than the store keeps up). */
  append(event: LogEvent): void;
  invocation(record: InvocationRecord): void;
}

/** A sink that keeps nothing (logging switched off at server level, or unit use). */
export const NULL_SINK: LogSink = {
  streamCreated: () => undefined,
  append: () => undefined,
  invocation: () => undefined,
};
