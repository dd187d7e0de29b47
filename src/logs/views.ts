// What a log store answers with (store.ts): groups, streams, events and invocation records as the
// APIs show them. No store's own keys appear here: a group or stream is named, an event's id is an
// opaque string, and where a page continues is a token the store hands out (store.ts).
import type { InvocationRecord } from './types.js';

export interface GroupView {
  readonly name: string;
  readonly createdAt: number;
  readonly retentionDays: number | undefined;
  /** Characters of message stored in the group (what retention and deletion give back). */
  readonly storedBytes: number;
}

export interface StreamView {
  readonly name: string;
  readonly createdAt: number;
  readonly firstEvent: number | undefined;
  readonly lastEvent: number | undefined;
  readonly lastIngestion: number | undefined;
  readonly storedBytes: number;
  readonly envId: string | undefined;
}

export type StreamOrder = 'LogStreamName' | 'LastEventTime';

export interface StoredEvent {
  /** Unique in the store; its form belongs to the store (CloudWatch's eventId is a string too). */
  readonly eventId: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly logStream: string;
  readonly envId: string | undefined;
  readonly requestId: string | undefined;
  readonly level: string | undefined;
  readonly message: string;
}

/**
 * An invocation record as a store reads it back: the record as written (types.ts), less what is
 * not kept with it (the recorded payloads, the places of its platform lines), its stream named
 * logStream as the investigation API names it.
 */
export type InvocationView = Omit<InvocationRecord, 'stream' | 'recorded' | 'lines'> & { readonly logStream: string | undefined };

/** Failures of one shape: same function, error type and normalised message (normalise.ts). */
export interface ErrorGroup {
  readonly functionName: string;
  readonly errorType: string | undefined;
  readonly message: string | undefined; // normalised
  readonly sampleMessage: string | undefined; // the latest one's, as it was
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly latestRequestId: string;
}

/** What the console's rollups read of a record at start-up. */
export type ScannedRecord = Pick<InvocationView,
  'requestId' | 'functionName' | 'startedAt' | 'cold' | 'initMs' | 'durationMs' | 'memoryMb' | 'maxMemoryUsedMb' | 'outcome' | 'envId' | 'errorType' | 'errorMessage'>;

export interface Stats {
  readonly invocations: number;
  readonly errors: number;
  readonly errorsByType: Record<string, number>;
  readonly outcomes: Record<string, number>;
  readonly coldStarts: number;
  readonly durationMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number; readonly avg: number } | undefined;
  readonly initMs: { readonly p50: number; readonly max: number } | undefined;
  readonly maxMemoryUsedMb: number | undefined;
  readonly memoryMb: number | undefined;
}
