// What the log store conformance cases (log-store-cases.ts) build their data from: events and
// invocation records shaped as the invoke path makes them, and helpers that read every page.
import { expect } from 'vitest';
import { LogStoreError, type EventPage, type EventQuery, type InvocationRecord, type LogEvent, type LogReader, type LogStore, type PlatformMark, type StoredEvent } from '../../src/logs/index.js';
import { endLine, reportLine, startLine } from '../../src/logs/platform-lines.js';
import { failure } from '../helpers/failure.js';

/** A store under test, and how to restart it. */
export interface StoreHandle {
  readonly store: LogStore;
  /** Close the store (writing what is queued) and open the same data again, as a server restart does. */
  reopen(): Promise<LogStore>;
  /** Close whatever is open and remove the data. */
  dispose(): Promise<void>;
  /** Let the store's background indexing catch up with what is written (where it has any). */
  settle?(): Promise<void>;
}

export interface StoreOptions {
  /** How often the retention sweep runs. */
  readonly sweepIntervalMs?: number;
}

/** A fresh, empty store of the implementation under test. */
export type LogStoreFactory = (options?: StoreOptions) => Promise<StoreHandle>;

export const fnGroup = (fn: string) => `/aws/lambda/${fn}`;
export const streamOf = (env: string) => `2026/01/01/[$LATEST]${env.padStart(32, '0')}`;
export const rid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export function ev(fn: string, env: string, message: string, timestamp: number, requestId?: string, level: LogEvent['level'] = 'INFO'): LogEvent {
  return { timestamp, group: fnGroup(fn), stream: streamOf(env), envId: env, requestId, level, message };
}

export function rec(fn: string, requestId: string, startedAt: number, more: Partial<InvocationRecord> = {}): InvocationRecord {
  return {
    requestId, functionName: fn, version: '$LATEST', envId: 'e1', logStream: streamOf('e1'), startedAt, cold: false, initMs: undefined,
    durationMs: 10, billedMs: 10, memoryMb: 128, maxMemoryUsedMb: 40, outcome: 'success', errorType: undefined, errorMessage: undefined,
    ...more,
  };
}

/** One invocation as the invoke path writes it: START, the function's lines, END, REPORT, and its record. */
export function invocation(fn: string, env: string, requestId: string, at: number, lines: readonly string[], more: Partial<InvocationRecord> = {}) {
  const platform = (mark: PlatformMark, message: string, ts: number): LogEvent => ({ ...ev(fn, env, message, ts, requestId, 'PLATFORM'), platform: mark });
  const events: LogEvent[] = [
    platform('start', startLine(requestId, '$LATEST'), at),
    ...lines.map((l) => ev(fn, env, l, at + 1, requestId)),
    platform('end', endLine(requestId), at + 2),
    platform('report', reportLine({ requestId, durationMs: 1.5, billedMs: 2, memoryMb: 128, maxMemoryUsedMb: 40, initMs: undefined }), at + 2),
  ];
  return { events, record: rec(fn, requestId, at, { envId: env, logStream: streamOf(env), ...more }) };
}

/** The invocations' events and records in one batch (each record's START, END and REPORT are marked in the events). */
export function batchOf(invs: readonly { events: LogEvent[]; record: InvocationRecord }[]): { events: LogEvent[]; records: InvocationRecord[] } {
  return { events: invs.flatMap((i) => i.events), records: invs.map((i) => i.record) };
}

/** Every page of a FilterLogEvents-style read, through its tokens. */
export async function allPages(store: LogReader, q: EventQuery): Promise<{ events: StoredEvent[]; pages: EventPage[] }> {
  const events: StoredEvent[] = [];
  const pages: EventPage[] = [];
  let token = q.token;
  for (let i = 0; i < 10_000; i++) {
    const page = await store.filterEvents({ ...q, token });
    pages.push(page);
    events.push(...page.events);
    if (page.nextToken === undefined) return { events, pages };
    token = page.nextToken;
  }
  throw new Error('paging did not end');
}

/** Every page of any tokened read. */
export async function collect<T>(read: (token: string | undefined) => Promise<{ items: T[]; nextToken: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await read(token);
    out.push(...page.items);
    if (page.nextToken === undefined) return out;
    token = page.nextToken;
  }
  throw new Error('paging did not end');
}

export const messages = (events: readonly StoredEvent[]) => events.map((e) => e.message);

/** The read is refused with this LogStoreError code. */
export async function refusal(read: Promise<unknown>, code: LogStoreError['code']): Promise<void> {
  const err = await failure<unknown>(read);
  expect(err).toBeInstanceOf(LogStoreError);
  expect((err as LogStoreError).code).toBe(code);
}
