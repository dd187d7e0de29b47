// An invocation's START, END and REPORT lines kept in its invocation record instead of as three
// event rows, the same way in every store (sqlite/ and postgres/ platform-events.ts): what of them
// does not depend on the engine is here. The writer keeps them in the record only when all three
// are in the record's write batch, in order, within PLATFORM_SPAN places of each other (keptPlaces);
// they still take their event ids and times in the one sequence, their index text and their
// bytes, so every reader merges them with the stored events by id (merged) and sees exactly what
// it would see if they were rows. Records are read by START id; a record's other lines lie up to
// PLATFORM_SPAN ids after its START, so reading records in START order, a line is certain to be
// next once no record still to come can hold an earlier one (LineOrder).
import { endLine, startLine } from './platform-lines.js';
import type { InvocationRecord } from './types.js';
import type { Batch } from './write-queue.js';

/** The most ids an invocation's START..REPORT may span for the three to be kept in its record. */
export const PLATFORM_SPAN = 512;

/** What a record holds of its kept lines (column names as both stores spell them). */
export interface KeptColumns {
  readonly request_id: string;
  readonly version: string;
  readonly start_event: number;
  readonly start_ts: number;
  readonly end_event: number;
  readonly end_ts: number;
  readonly report_event: number;
  readonly report_ts: number;
  readonly report: string;
}

/** A kept line: its id, time and text, in the order START, END, REPORT (which is id order). */
export interface KeptLine {
  readonly id: number;
  readonly ts: number;
  readonly message: string;
}

export function keptLines(r: KeptColumns): KeptLine[] {
  return [
    { id: r.start_event, ts: r.start_ts, message: startLine(r.request_id, r.version) },
    { id: r.end_event, ts: r.end_ts, message: endLine(r.request_id) },
    { id: r.report_event, ts: r.report_ts, message: r.report },
  ];
}

/**
 * The records of a batch whose START, END and REPORT go into them, with the places of the three
 * in batch.events: the batch says where its lines are (Batch.lines), and they are all
 * in this batch, in order, within PLATFORM_SPAN places, of its request — a request `isNew` says is
 * seen for the first time (a retried request's record is updated, and keeps its first attempt's lines).
 */
export function keptPlaces(batch: Batch, isNew: (requestId: string) => boolean): Map<InvocationRecord, readonly [number, number, number]> {
  const kept = new Map<InvocationRecord, readonly [number, number, number]>();
  const events = batch.events;
  for (const r of batch.records) {
    const l = batch.lines?.get(r);
    if (l === undefined) continue;
    const s = l.start - batch.first;
    const en = l.end - batch.first;
    const re = l.report - batch.first;
    if (s < 0 || re >= events.length || s >= en || en >= re || re - s > PLATFORM_SPAN) continue;
    const id = r.requestId;
    if (events[s]!.requestId !== id || events[en]!.requestId !== id || events[re]!.requestId !== id) continue;
    if (!isNew(id)) continue;
    kept.set(r, [s, en, re]);
  }
  return kept;
}

/** What a writer gathers of a record's kept lines: their places in the batch, then the ids and times they take. */
export interface KeptPlacing {
  readonly at: readonly number[]; // START, END, REPORT
  readonly ids: number[];
  readonly ts: number[];
  groupId: number;
  streamId: number;
}

/** The batch's event `i`, one of `k`'s lines, took event id `id` at `ts` in the stream `ref`. */
export function placeKept(k: KeptPlacing, i: number, id: number, ts: number, ref: { readonly id: number; readonly groupId: number }): void {
  const slot = k.at.indexOf(i);
  k.ids[slot] = id;
  k.ts[slot] = ts;
  k.groupId = ref.groupId;
  k.streamId = ref.id;
}

/**
 * Kept lines put in id order (or newest first) as their records come by START id (or newest
 * START first): `add` a record's lines, then `ready(start)` before adding the next record gives
 * the lines no record still to come can precede; `rest` the remainder at the end.
 */
export class LineOrder<T extends { readonly id: number }> {
  private readonly pending: T[] = [];

  constructor(private readonly after: number, private readonly before: number, private readonly newestFirst = false) {}

  /** Lines certain to come before any of a record whose START is `start` (the next to be added). */
  *ready(start: number): Generator<T, void, undefined> {
    const bound = this.newestFirst ? start + PLATFORM_SPAN : start;
    const p = this.pending;
    while (p.length > 0 && (this.newestFirst ? p[0]!.id > bound : p[0]!.id < bound)) yield p.shift()!;
  }

  add(lines: readonly T[]): void {
    const p = this.pending;
    for (const e of lines) {
      if (e.id <= this.after || e.id >= this.before) continue;
      let at = p.length;
      while (at > 0 && (this.newestFirst ? e.id > p[at - 1]!.id : e.id < p[at - 1]!.id)) at--;
      p.splice(at, 0, e);
    }
  }

  rest(): T[] {
    return this.pending.splice(0);
  }
}

/** Two id-ordered event sequences as one (both ascending, or both newest first). */
export function* merged<T extends { readonly id: number }>(a: Iterator<T>, b: Iterator<T>, newestFirst = false): Generator<T, void, undefined> {
  try {
    let x = a.next();
    let y = b.next();
    while (!x.done && !y.done) {
      if (newestFirst ? x.value.id > y.value.id : x.value.id < y.value.id) {
        yield x.value;
        x = a.next();
      } else {
        yield y.value;
        y = b.next();
      }
    }
    for (; !x.done; x = a.next()) yield x.value;
    for (; !y.done; y = b.next()) yield y.value;
  } finally {
    a.return?.();
    b.return?.();
  }
}

/** merged, for sequences read a chunk at a time from a network store. */
export async function* mergedAsync<T extends { readonly id: number }>(a: AsyncIterator<T>, b: AsyncIterator<T>, newestFirst = false): AsyncGenerator<T, void, undefined> {
  try {
    let [x, y] = await Promise.all([a.next(), b.next()]);
    while (!x.done && !y.done) {
      if (newestFirst ? x.value.id > y.value.id : x.value.id < y.value.id) {
        yield x.value;
        x = await a.next();
      } else {
        yield y.value;
        y = await b.next();
      }
    }
    for (; !x.done; x = await a.next()) yield x.value;
    for (; !y.done; y = await b.next()) yield y.value;
  } finally {
    await Promise.all([a.return?.(), b.return?.()]);
  }
}
