// Where an invocation's START, END and REPORT went, for its record. The environment only marks
// those lines (LogEvent.platform); the sink notes the place in its sequence of events that each
// marked line took (write-queue.ts counts them) and, when the invocation's record arrives, the
// queue keeps the three places with it (Batch.lines). A store's writer then keeps the three in
// the record rather than as rows when they are written in the record's batch (platform-events.ts).
// So no layer above logs/ carries a place in a store's queue, and the record itself is not copied.
import type { InvocationRecord, LogEvent } from './types.js';
import { PLATFORM_SPAN } from './platform-events.js';

/** Places of an invocation's platform lines in the sink's sequence of events. */
export interface PlatformLines {
  readonly start: number;
  readonly end: number;
  readonly report: number;
}

/** One invocation's lines so far (-1: not queued yet, or dropped); handed on as its record's places. */
interface Noted {
  readonly envId: string;
  readonly start: number;
  end: number;
  report: number;
}

export class PlatformPlaces {
  /**
   * By request id, in order of START: an environment runs one invocation at a time, and its
   * request's lines carry its id. An entry whose record never comes (its environment went away)
   * is dropped once its START is more than PLATFORM_SPAN places behind: its lines could no
   * longer be kept in a record anyway.
   */
  private readonly open = new Map<string, Noted>();

  /** A marked event took place `at` in the sequence (-1: the queue dropped it). */
  note(e: LogEvent, at: number): void {
    const id = e.requestId;
    if (id === undefined) return;
    if (e.platform === 'start') {
      // Deleted first, so that the map's order stays the order of START.
      this.open.delete(id);
      if (at < 0) return;
      if (this.open.size > PLATFORM_SPAN) this.prune(at);
      this.open.set(id, { envId: e.envId, start: at, end: -1, report: -1 });
      return;
    }
    const n = this.open.get(id);
    if (n === undefined || n.envId !== e.envId) return;
    if (e.platform === 'end') n.end = at;
    else if (e.platform === 'report') n.report = at;
  }

  /** Where the record's START, END and REPORT went, when all three were queued; forgets them. */
  take(r: InvocationRecord): PlatformLines | undefined {
    const n = this.open.get(r.requestId);
    if (n === undefined || n.envId !== r.envId) return undefined;
    this.open.delete(r.requestId);
    return n.end >= 0 && n.report >= 0 ? n : undefined;
  }

  private prune(at: number): void {
    for (const [id, n] of this.open) {
      if (n.start >= at - PLATFORM_SPAN) return;
      this.open.delete(id);
    }
  }
}

/**
 * Where the records of a bulk write (LogWriter.writeBatch) find their START, END and REPORT in
 * `events`, by the marks on them as the queue finds them.
 */
export function placesIn(events: readonly LogEvent[], records: readonly InvocationRecord[]): Map<InvocationRecord, PlatformLines> {
  const places = new PlatformPlaces();
  for (let i = 0; i < events.length; i++) if (events[i]!.platform !== undefined) places.note(events[i]!, i);
  const found = new Map<InvocationRecord, PlatformLines>();
  for (const r of records) {
    const lines = places.take(r);
    if (lines !== undefined) found.set(r, lines);
  }
  return found;
}
