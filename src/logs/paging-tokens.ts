// The log stores' paging tokens (sqlite/, postgres/): what each one means is a store's business (keyset positions
// over its own ids), callers pass them back as opaque strings. Their forms are the ones lambkin
// has always handed out, so that tokens of a running client survive an upgrade.
import { LogStoreError, type StreamEventsPage } from './store.js';
import type { StoredEvent } from './views.js';

/** Position after an event id (FilterLogEvents, the investigation API's `after`/`next`): its decimal id. */
export function encodeId(id: number): string {
  return String(id);
}

export function decodeId(token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  if (!/^\d{1,16}$/.test(token) || !Number.isSafeInteger(Number(token))) throw invalid();
  return Number(token);
}

/** GetLogEvents: `f/<id>` reads on after the id, `b/<id>` back before it. */
export function encodeDirection(dir: 'f' | 'b', id: number): string {
  return `${dir}/${String(id).padStart(20, '0')}`;
}

export function decodeDirection(token: string | undefined): { dir: 'f' | 'b'; id: number } | undefined {
  if (token === undefined) return undefined;
  const m = /^([fb])\/(\d{1,20})$/.exec(token);
  if (!m || !Number.isSafeInteger(Number(m[2]))) throw invalid();
  return { dir: m[1] as 'f' | 'b', id: Number(m[2]) };
}

/** What a GetLogEvents page reads: the ids in (after, before), up from `after` or down from `before`. */
export interface StreamWindow {
  readonly after: number;
  readonly before: number;
  readonly readUp: boolean;
  readonly given: { dir: 'f' | 'b'; id: number } | undefined;
  readonly token: string | undefined;
}

/**
 * The window of a GetLogEvents page: the ids of its time range, narrowed by the token given.
 * Forward pages read up from `after`; backward pages (and the first page from the tail) read down
 * from `before`, then turn round.
 */
export function streamWindow(range: { after: number; before: number }, given: StreamWindow['given'], q: { token?: string; startFromHead: boolean }): StreamWindow {
  return {
    after: given?.dir === 'f' ? Math.max(range.after, given.id) : range.after,
    before: given?.dir === 'b' ? Math.min(range.before, given.id) : range.before,
    readUp: given ? given.dir === 'f' : q.startFromHead,
    given,
    token: q.token,
  };
}

/** The page of what a window read (in the order it read), oldest first, with the tokens to read on either way. */
export function streamEventsPage(events: StoredEvent[], w: StreamWindow): StreamEventsPage {
  if (!w.readUp) events.reverse();
  const first = events[0];
  const last = events[events.length - 1];
  if (first && last) {
    return { events, nextForwardToken: encodeDirection('f', Number(last.eventId)), nextBackwardToken: encodeDirection('b', Number(first.eventId)) };
  }
  if (w.given) {
    return {
      events,
      nextForwardToken: w.given.dir === 'f' ? w.token! : encodeDirection('f', w.given.id - 1),
      nextBackwardToken: w.given.dir === 'b' ? w.token! : encodeDirection('b', w.given.id + 1),
    };
  }
  // Nothing in range: both tokens point at the start of the range, where new events appear.
  return { events, nextForwardToken: encodeDirection('f', w.after), nextBackwardToken: encodeDirection('b', w.after + 1) };
}

/** A small JSON value, base64url: keyset positions of several fields. */
export function encodeJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeJson<T>(token: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (token === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!check(value)) throw invalid();
  return value;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const int = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);

/** (time, sequence): invocation lists, error groups, record scans. */
export interface TimeSeq {
  readonly t: number;
  readonly s: number;
}
export const isTimeSeq = (v: unknown): v is TimeSeq => isObject(v) && num(v.t) && int(v.s);

/** DescribeLogGroups: the last name of the page. */
export const isGroupAfter = (v: unknown): v is { n: string } => isObject(v) && typeof v.n === 'string';

/** DescribeLogStreams: the last stream of the page (name, last event time, row id). */
export const isStreamAfter = (v: unknown): v is { name: string; lastEvent: number; id: number } =>
  isObject(v) && typeof v.name === 'string' && num(v.lastEvent) && int(v.id);

function invalid(): LogStoreError {
  return new LogStoreError('InvalidToken', 'The token is not one this log store handed out.');
}
