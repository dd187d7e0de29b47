// The log store, as the rest of lambkin sees it: a write side (LogWriter) that environments hand
// their output to on the invoke path, and a read side (LogReader) that the CloudWatch Logs API,
// the investigation API and the console query. Implementations: sqlite/ (the embedded default),
// postgres/ (with --database-url).
// test/conformance/log-store-cases.ts is what any implementation must pass.
//
// Writing never waits on the store: LogSink's calls are synchronous and only queue (an
// implementation writes batches off the invoke path, and under a flood drops what its queue cannot
// hold — write-queue.ts, which says so in the stream). Reading is asynchronous, as a network store
// needs.
//
// Guarantees every implementation gives (the conformance suite checks each):
// - Read your writes: a read sees every event and record appended before it (each read first
//   writes what is queued — within a bounded time; the rest follows within the flush delay).
// - Order: within a group (and so within a stream), events are read in the order they were
//   appended, and their timestamps never decrease in that order (a clock stepping back is clamped).
// - Paging: a token is an opaque string from this store; passing it back continues exactly where
//   the page ended — no event or record twice, none skipped. A token the store did not hand out is
//   refused with LogStoreError 'InvalidToken'.
// - Deletion: a deleted group, its streams and events are gone for every read at once; the space is
//   given back in the background. Retention removes events older than the group's days.
import type { CompiledPattern } from './filter-pattern.js';
import type { InvocationRecord, LogEvent, LogSink, Outcome } from './types.js';
import type { ErrorGroup, GroupView, InvocationView, ScannedRecord, Stats, StoredEvent, StreamOrder, StreamView } from './views.js';
import type { Batch } from './write-queue.js';
import type { PutSubscriptionResult, SubscriptionFilter } from './subscriptions.js';
import type { PutEvent, PutOutcome } from './put-events.js';

export interface LogWriter extends LogSink {
  /**
   * Store events and records at once, bypassing the queue (bulk loads, tests, benchmarks); a
   * record keeps the last START, END and REPORT of its request marked in `events` (LogEvent.platform),
   * as the queue would. Listeners of onWritten see the batch.
   */
  writeBatch(events: readonly LogEvent[], records?: readonly InvocationRecord[]): Promise<void>;
}

export interface LogReader {
  /** One group, or undefined. */
  describeGroup(name: string): Promise<GroupView | undefined>;
  /** Groups in name order (DescribeLogGroups). */
  describeGroups(q: GroupQuery): Promise<GroupPage>;
  /** A group's streams (DescribeLogStreams). Throws LogStoreError 'GroupNotFound'. */
  describeStreams(group: string, q: StreamQuery): Promise<StreamPage>;
  /** One stream's events (GetLogEvents). Throws LogStoreError 'GroupNotFound' / 'StreamNotFound'. */
  getStreamEvents(q: StreamEventsQuery): Promise<StreamEventsPage>;
  /**
   * A group's events across its streams in order, matching a filter pattern (FilterLogEvents and
   * the investigation API): those functions wrote, then those clients put (put-events.ts), each
   * in time order. A group that does not exist reads as empty.
   */
  filterEvents(q: EventQuery): Promise<EventPage>;
  /**
   * How many of a group's events fall in each time bin — `binMs` wide, from the epoch — counted
   * without reading them (Logs Insights' `stats count(*) by bin(…)`). Bins in time order, empty
   * ones left out. A page ends when the read's time budget is spent, with a nextToken to go on
   * from; a bin may then continue on the next page (its count there is the rest), and the last
   * page of a group with put streams adds their events' bins (so: add up a bin's counts over the
   * pages). A group that does not exist reads as empty.
   */
  countEvents(q: EventCountQuery): Promise<EventCountPage>;
  /** One request's log lines, wherever it ran, in order (of groups not deleted). */
  requestEvents(requestId: string, q: { readonly limit: number; readonly token?: string }): Promise<RequestEventsPage>;
  /** One invocation's record, or undefined. */
  getInvocation(requestId: string): Promise<InvocationView | undefined>;
  /** Invocation records, newest first (by start, then by order of writing), filtered. */
  invocations(q: InvocationQuery): Promise<InvocationPage>;
  /** Failures grouped by function, error type and message shape; most recently seen first. */
  errorGroups(q: ErrorGroupQuery): Promise<ErrorGroupPage>;
  /** One function's numbers over a time window. */
  stats(q: { readonly functionName: string; readonly since?: number; readonly until?: number }): Promise<Stats>;
  /** Records started at or after `since`, oldest first, a page at a time (the console's rollups at start-up). */
  scanRecords(q: { readonly since: number; readonly limit: number; readonly token?: string }): Promise<RecordPage>;
  /** Keep the group's events this many days (undefined: forever). False when there is no such group. */
  setRetention(group: string, days: number | undefined): Promise<boolean>;
  /** A new, empty group with these tags (CreateLogGroup). False when a group of that name exists. */
  createGroup(name: string, tags?: Readonly<Record<string, string>>): Promise<boolean>;
  /** A group's tags; undefined when there is no such group. */
  groupTags(name: string): Promise<Record<string, string> | undefined>;
  /** Add or replace the tags `set` and remove the keys `remove`, at once. False when there is no such group. */
  tagGroup(name: string, set: Readonly<Record<string, string>>, remove?: readonly string[]): Promise<boolean>;
  /** Delete a group with its streams, events and tags. False when there is no such group. */
  deleteGroup(group: string): Promise<boolean>;
  /**
   * A stream that clients write with putEvents (CreateLogStream), in any group (put-events.ts):
   * 'done', or 'noGroup' / 'exists'.
   */
  createStream(group: string, stream: string): Promise<PutOutcome>;
  /** Delete a stream made with createStream, with its events: 'done', or 'noGroup' / 'noStream' / 'written' (a function's stream). */
  deleteStream(group: string, stream: string): Promise<PutOutcome>;
  /**
   * Store a client's events (PutLogEvents, validated by the caller) in a stream made with
   * createStream; onWritten's listeners see them. 'done', or 'noGroup' / 'noStream' / 'written'.
   */
  putEvents(group: string, stream: string, events: readonly PutEvent[]): Promise<PutOutcome>;
  /** Add or replace (by name) a group's subscription filter; at most MAX_SUBSCRIPTION_FILTERS per group. */
  putSubscriptionFilter(filter: Omit<SubscriptionFilter, 'createdAt'>): Promise<PutSubscriptionResult>;
  /** A group's subscription filters by name (undefined: no such group); every group's without `group`. */
  subscriptionFilters(group?: string): Promise<SubscriptionFilter[] | undefined>;
  /** False when the group or its filter of that name does not exist. */
  deleteSubscriptionFilter(group: string, name: string): Promise<boolean>;
  /** Write what is queued now (bounded), so that onWritten's listeners have seen it. */
  flush(): Promise<void>;
  /**
   * Call `listener` with every batch once it is stored (the live tail, the console's rollups and
   * recorded payloads); it runs on the writer's turn: it must be quick. Returns the unsubscribe.
   * A `prompt` listener (an open live tail session) asks for lines soon: while one is registered,
   * queued lines are written within PROMPT_FLUSH_MS instead of the store's usual batching delay.
   */
  onWritten(listener: (batch: Batch) => void, options?: WrittenOptions): () => void;
}

/** How long lines may wait to be written while a prompt onWritten listener is registered. */
export const PROMPT_FLUSH_MS = 100;

export interface WrittenOptions {
  /** Someone is watching: write queued lines within PROMPT_FLUSH_MS (costs more commits). */
  readonly prompt?: boolean;
  /**
   * Only `records` are read (the console's numbers): on a cluster, the other nodes' lines are not
   * sent over for this listener (cluster/log-feed.ts). The stores ignore it.
   */
  readonly recordsOnly?: boolean;
}

export interface LogStore extends LogWriter, LogReader {
  /** Write everything queued, stop background work, and let go of the store. */
  close(): Promise<void>;
}

export type LogStoreErrorCode = 'GroupNotFound' | 'StreamNotFound' | 'InvalidToken';

/** A read the store refused; the API turns it into its own error (CloudWatch's or Lambda's). */
export class LogStoreError extends Error {
  constructor(readonly code: LogStoreErrorCode, message: string) {
    super(message);
  }
}

export interface GroupQuery {
  readonly prefix?: string;
  /** Groups whose name contains this (logGroupNamePattern). */
  readonly contains?: string;
  readonly limit: number;
  readonly token?: string;
}

export interface GroupPage {
  readonly groups: GroupView[];
  readonly nextToken: string | undefined;
}

export interface StreamQuery {
  readonly prefix?: string;
  readonly orderBy: StreamOrder;
  readonly descending: boolean;
  readonly limit: number;
  readonly token?: string;
}

export interface StreamPage {
  readonly streams: StreamView[];
  readonly nextToken: string | undefined;
}

export interface StreamEventsQuery {
  readonly group: string;
  readonly stream: string;
  readonly startTime?: number; // inclusive
  readonly endTime?: number; // exclusive
  readonly limit: number;
  /** A previous page's nextForwardToken or nextBackwardToken. */
  readonly token?: string;
  /** Without a token: the oldest `limit` events (else the newest). */
  readonly startFromHead: boolean;
}

/**
 * Oldest first within the page. At the end of the stream in the direction read, the token passed
 * in comes back unchanged (SDK paginators stop on that; a follower asks again later).
 */
export interface StreamEventsPage {
  readonly events: StoredEvent[];
  readonly nextForwardToken: string;
  readonly nextBackwardToken: string;
}

export interface EventQuery {
  readonly group: string;
  readonly streamNames?: readonly string[];
  readonly streamPrefix?: string;
  readonly startTime?: number; // inclusive
  readonly endTime?: number; // exclusive
  readonly pattern?: CompiledPattern;
  readonly levels?: readonly string[];
  /** A previous page's nextToken or position. */
  readonly token?: string;
  readonly limit: number;
}

/**
 * A page ends at `limit`, at 1 MB of messages, or when the read's time budget is spent — possibly
 * with no events but a nextToken.
 */
export interface EventPage {
  readonly events: StoredEvent[];
  /** Set when more may match: pass it back to go on. */
  readonly nextToken: string | undefined;
  /** Where this read got to: a follower passes it back to read what is written after it. */
  readonly position: string;
}

export interface EventCountQuery {
  readonly group: string;
  readonly startTime?: number; // inclusive
  readonly endTime?: number; // exclusive
  readonly binMs: number;
  /** A previous page's nextToken. */
  readonly token?: string;
}

export interface EventCountPage {
  /** `start`: the bin's start (epoch ms, a multiple of binMs). */
  readonly bins: { readonly start: number; readonly count: number }[];
  readonly nextToken: string | undefined;
}

export interface RequestEventsPage {
  readonly events: StoredEvent[];
  readonly nextToken: string | undefined;
}

export interface InvocationQuery {
  readonly functionName?: string;
  readonly outcome?: Outcome;
  readonly cold?: boolean;
  readonly minDurationMs?: number;
  readonly since?: number; // started at or after
  readonly until?: number; // started before
  /** Only invocations with a log line matching the pattern (in `group` only, when given). */
  readonly text?: { readonly pattern: CompiledPattern; readonly group?: string };
  readonly limit: number;
  readonly token?: string;
}

/** A text search may answer fewer than `limit` (even none) with a token, when its time ran out. */
export interface InvocationPage {
  readonly invocations: InvocationView[];
  readonly nextToken: string | undefined;
}

export interface ErrorGroupQuery {
  readonly functionName?: string;
  readonly since?: number;
  readonly until?: number;
  readonly limit: number;
  readonly token?: string;
}

export interface ErrorGroupPage {
  readonly errors: ErrorGroup[];
  readonly nextToken: string | undefined;
}

export interface RecordPage {
  readonly records: ScannedRecord[];
  readonly nextToken: string | undefined;
}
