// Streams that clients write themselves (CreateLogStream, PutLogEvents), in any group. Their
// events carry the client's timestamps, in any order across batches, so they cannot join the
// stores' event sequence, where a time range *is* an id range (sqlite/schema.ts (1)): each store
// keeps them in a table of their own, ordered by (timestamp, sequence), and the reads of a group
// that has such streams go through here. A group without any (every function's, normally) is read
// exactly as before: one cheap look at whether it has put streams is all it costs.
//
// A group's events as FilterLogEvents reads them: the function-written ones first (the store's own
// scan, its tokens), then the put ones in time order. A merged token says where each side is.
import { decodeJson, encodeJson } from './paging-tokens.js';
import { LogStoreError, type EventCountPage, type EventPage, type EventQuery, type StreamEventsPage, type StreamEventsQuery } from './store.js';
import type { StoredEvent } from './views.js';
import type { Batch } from './write-queue.js';

/** One event as a client gave it, validated (api/logs/put-log-events.ts). */
export interface PutEvent {
  readonly timestamp: number;
  readonly message: string;
}

/** What createStream, deleteStream and putEvents can answer. */
export type PutOutcome = 'done' | 'exists' | 'noGroup' | 'noStream' | 'written';

/** A stored put event (seq: its place in the table, unique). */
export interface PutRow {
  readonly seq: number;
  readonly ts: number;
  readonly ingested: number;
  readonly stream: string;
  readonly message: string;
}

/** (timestamp, seq) of an event: the table's order. */
export interface PutCursor {
  readonly t: number;
  readonly s: number;
}

export interface PutReadQuery {
  readonly groupId: number;
  readonly streamIds?: readonly number[];
  readonly startTime?: number; // inclusive
  readonly endTime?: number; // exclusive
  /** Strictly after (ascending) or before (descending) this cursor. */
  readonly from?: PutCursor;
  readonly descending: boolean;
  readonly limit: number;
}

/** What a store gives of its put-events table (sqlite/put-events.ts, postgres/put-events.ts). */
export interface PutTable {
  hasStreams(groupId: number): Promise<boolean>;
  isPutStream(streamId: number): Promise<boolean>;
  read(q: PutReadQuery): Promise<PutRow[]>;
  /** Counts per bin of `binMs` (bin start = multiple of binMs), in time order. */
  bins(groupId: number, startTime: number | undefined, endTime: number | undefined, binMs: number): Promise<{ start: number; count: number }[]>;
}

/** Rows per read of the table while filtering. */
const CHUNK = 1000;
/** A filtering read stops after this long and says where to go on, as the stores' scans do. */
const MAX_SCAN_MS = 50;
const MAX_RESPONSE_CHARS = 1024 * 1024;

interface Merged {
  /** The function side's token (a page's nextToken, or — once `done` — its position). */
  readonly f?: string;
  /** The function side is read to its end for now; the put side goes on after (t, s). */
  readonly d?: boolean;
  readonly t?: number;
  readonly s?: number;
}

const PREFIX = 'm.';
const isMerged = (v: unknown): v is Merged => typeof v === 'object' && v !== null && (!('f' in v) || typeof v.f === 'string');
const encode = (m: Merged) => PREFIX + encodeJson(m);
const cursorOf = (m: Merged): PutCursor | undefined => (m.t !== undefined && m.s !== undefined ? { t: m.t, s: m.s } : undefined);

/** Whether a token is one of this file's (a group read through here must stay so). */
export const isPutToken = (token: string | undefined) => token?.startsWith(PREFIX) === true;

/**
 * FilterLogEvents over a group with put streams: `base` reads the function-written side with
 * its own tokens; `streamIds` are the put streams asked for (undefined: all of them).
 */
export async function filterMerged(
  table: PutTable, q: EventQuery, groupId: number, streamIds: readonly number[] | undefined,
  base: (token: string | undefined) => Promise<EventPage>,
): Promise<EventPage> {
  const state: Merged = isPutToken(q.token) ? decodeJson(q.token!.slice(PREFIX.length), isMerged)! : { f: q.token };
  let events: StoredEvent[] = [];
  let fnAt = state.f;
  if (!state.d) {
    const page = await base(state.f);
    if (page.nextToken !== undefined) {
      return { events: page.events, nextToken: encode({ f: page.nextToken, t: state.t, s: state.s }), position: encode({ f: page.position, t: state.t, s: state.s }) };
    }
    events = page.events;
    fnAt = page.position;
  }
  // Put events after the cursor, checked against the pattern, to the limit or the time budget.
  const started = performance.now();
  let cursor = cursorOf(state);
  let chars = events.reduce((n, e) => n + e.message.length, 0);
  for (;;) {
    const rows = await table.read({ groupId, streamIds, startTime: q.startTime, endTime: q.endTime, from: cursor, descending: false, limit: CHUNK });
    for (const r of rows) {
      if (events.length >= q.limit || chars >= MAX_RESPONSE_CHARS || performance.now() - started > MAX_SCAN_MS) {
        return { events, nextToken: encode({ f: fnAt, d: true, t: cursor?.t, s: cursor?.s }), position: encode({ f: fnAt, t: cursor?.t, s: cursor?.s }) };
      }
      cursor = { t: r.ts, s: r.seq };
      if (q.pattern && !q.pattern.test(r.message)) continue;
      events.push(view(r));
      chars += r.message.length;
    }
    if (rows.length < CHUNK) break;
  }
  return { events, nextToken: undefined, position: encode({ f: fnAt, t: cursor?.t, s: cursor?.s }) };
}

function view(r: PutRow): StoredEvent {
  return { eventId: `p${r.seq}`, timestamp: r.ts, ingestionTime: r.ingested, logStream: r.stream, envId: undefined, requestId: undefined, level: undefined, message: r.message };
}

interface Direction {
  readonly d: 'f' | 'b';
  readonly t: number;
  readonly s: number;
}
const isDirection = (v: unknown): v is Direction =>
  typeof v === 'object' && v !== null && 'd' in v && (v.d === 'f' || v.d === 'b') && 't' in v && Number.isSafeInteger(v.t) && 's' in v && Number.isSafeInteger(v.s);
const encodeDir = (d: 'f' | 'b', c: PutCursor) => PREFIX + encodeJson({ d, t: c.t, s: c.s });

/** GetLogEvents over a put stream, by (timestamp, seq), with tokens as the stores' own behave. */
export async function putStreamEvents(table: PutTable, groupId: number, streamId: number, q: StreamEventsQuery): Promise<StreamEventsPage> {
  if (q.token !== undefined && !isPutToken(q.token)) throw new LogStoreError('InvalidToken', 'The token is not one of this stream\'s.');
  const given = q.token === undefined ? undefined : decodeJson(q.token.slice(PREFIX.length), isDirection);
  const readUp = given ? given.d === 'f' : q.startFromHead;
  const rows = await table.read({
    groupId, streamIds: [streamId], startTime: q.startTime, endTime: q.endTime, from: given && { t: given.t, s: given.s }, descending: !readUp, limit: q.limit,
  });
  if (!readUp) rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first && last) {
    return { events: rows.map(view), nextForwardToken: encodeDir('f', { t: last.ts, s: last.seq }), nextBackwardToken: encodeDir('b', { t: first.ts, s: first.seq }) };
  }
  if (given) {
    // At the end in the direction read: the token comes back unchanged; the other one turns round here.
    const other = given.d === 'f' ? encodeDir('b', { t: given.t, s: given.s + 1 }) : encodeDir('f', { t: given.t, s: given.s - 1 });
    return { events: [], nextForwardToken: given.d === 'f' ? q.token! : other, nextBackwardToken: given.d === 'b' ? q.token! : other };
  }
  const start = { t: q.startTime ?? 0, s: 0 };
  return { events: [], nextForwardToken: encodeDir('f', start), nextBackwardToken: encodeDir('b', start) };
}

/** countEvents over a group with put streams: the store's bins, and on its last page the put events' too. */
export async function countMerged(table: PutTable, groupId: number, startTime: number | undefined, endTime: number | undefined, binMs: number, page: EventCountPage): Promise<EventCountPage> {
  if (page.nextToken !== undefined) return page;
  const counts = new Map<number, number>();
  for (const b of [...page.bins, ...(await table.bins(groupId, startTime, endTime, binMs))]) counts.set(b.start, (counts.get(b.start) ?? 0) + b.count);
  return { bins: [...counts.keys()].sort((a, b) => a - b).map((start) => ({ start, count: counts.get(start)! })), nextToken: undefined };
}

/** Put events as onWritten's listeners see a batch (live tail, subscription filters); `first`: the first one's seq. */
export function putBatch(group: string, stream: string, events: readonly PutEvent[], first: number): Batch {
  return { events: events.map((e) => ({ ...e, group, stream, envId: '', requestId: undefined, level: undefined })), records: [], first };
}
