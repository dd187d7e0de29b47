// Delivering stored log lines to live tails (the console's server-sent events and the Logs API's
// StartLiveTail), off the invoke path and at a cost that does not grow with the number of readers:
// with 64 clients that never read and one function flooding stdout, each client got its own JSON
// encoding of every line and kept up to 1 MB of it, and warm invokes of another function went from
// 2.1 ms to 307 ms at p50 (the server +130 MB).
//
// - Lines wait in one queue and go out on later turns of the event loop (setImmediate), a few
//   thousand per turn, so that invocations' I/O runs in between; the writer's turn stays short.
// - Each line is encoded once per turn, whoever reads it; readers with the same filter (`key`)
//   share one Buffer per turn (a socket write keeps a reference, not a copy).
// - A reader holds at most CLIENT_BUFFER_BYTES waiting to be sent; beyond that its lines are
//   skipped, counted, and it is told (the format's `dropped`) once it reads again.
// What a line looks like on the wire is the format's business (TailFormat); the rest is shared.
import type { Batch, LogEvent } from '../../logs/index.js';
import type { ResponseStream } from '../http.js';

/** Bytes one tail reader may have waiting to be sent before its lines are skipped. */
export const CLIENT_BUFFER_BYTES = 256 * 1024;
/** Lines sent per turn of the event loop. */
const LINES_PER_TURN = 2000;
/** Lines waiting at most; past that the oldest are skipped (the server is behind, not a reader). */
const MAX_PENDING_LINES = 20_000;

export interface TailReader {
  readonly out: ResponseStream;
  /** Readers with the same key choose the same lines: those are chosen and encoded once. */
  readonly key: string;
  /** Whether the reader wants `e`; `lower(i)` is line i's message lower-cased, computed once. */
  matches(e: LogEvent, lower: () => string): boolean;
  /** Lines this reader missed; told before its next lines. */
  skipped: number;
}

export interface TailFormat {
  /** One line's encoding, made once per turn whoever reads it. */
  line(e: LogEvent): string;
  /** The bytes that carry one turn's chosen lines (already encoded) to a group of readers. */
  payload(lines: readonly string[]): Buffer;
  /** What a reader that skipped `lines` lines is told before its next ones. */
  dropped(lines: number): string | Buffer;
}

export class Fanout {
  private pending: LogEvent[] = [];
  private head = 0;
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly readers: ReadonlySet<TailReader>, private readonly format: TailFormat) {}

  push(batch: Batch): void {
    if (this.readers.size === 0 || batch.events.length === 0) return;
    for (const e of batch.events) this.pending.push(e);
    const over = this.pending.length - this.head - MAX_PENDING_LINES;
    if (over > 0) {
      this.skip(this.pending.slice(this.head, this.head + over));
      this.head += over;
    }
    this.scheduled ??= setImmediate(() => this.turn());
  }

  close(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.pending = [];
    this.head = 0;
  }

  private turn(): void {
    this.scheduled = undefined;
    const lines = this.pending.slice(this.head, this.head + LINES_PER_TURN);
    this.head += lines.length;
    if (this.head >= this.pending.length) {
      this.pending = [];
      this.head = 0;
    } else {
      this.scheduled = setImmediate(() => this.turn());
    }
    if (this.readers.size > 0 && lines.length > 0) this.deliver(lines);
  }

  /** Lines no reader will get: each reader whose filter they pass counts them. */
  private skip(lines: readonly LogEvent[]): void {
    const lower = lowerCache(lines);
    for (const c of this.readers) {
      for (let i = 0; i < lines.length; i++) if (c.matches(lines[i]!, () => lower(i))) c.skipped++;
    }
  }

  private deliver(lines: readonly LogEvent[]): void {
    const encoded = new Array<string | undefined>(lines.length);
    const lower = lowerCache(lines);
    for (const group of byKey(this.readers)) {
      const filter = group[0]!;
      // A reader that is skipping takes lines again once half its budget has drained.
      const ready = group.filter((c) => c.out.buffered <= (c.skipped > 0 ? CLIENT_BUFFER_BYTES / 2 : CLIENT_BUFFER_BYTES));
      const parts: string[] = [];
      let size = 0;
      let matched = 0;
      for (let i = 0; i < lines.length; i++) {
        if (!filter.matches(lines[i]!, () => lower(i))) continue;
        matched++;
        if (ready.length === 0 || size >= CLIENT_BUFFER_BYTES) continue;
        const text = (encoded[i] ??= this.format.line(lines[i]!));
        parts.push(text);
        size += text.length;
      }
      if (matched === 0) continue;
      const excess = matched - parts.length; // over this turn's budget: skipped by every reader
      for (const c of group) if (!ready.includes(c)) c.skipped += matched;
      if (parts.length === 0) {
        for (const c of ready) c.skipped += excess;
        continue;
      }
      const payload = this.format.payload(parts);
      for (const c of ready) {
        if (c.skipped > 0) c.out.write(this.format.dropped(c.skipped)); // before the lines after the gap
        c.skipped = excess;
        c.out.write(payload);
      }
    }
  }
}

/** The readers grouped by key: each group's lines are chosen and encoded once. */
function byKey(readers: ReadonlySet<TailReader>): TailReader[][] {
  const groups = new Map<string, TailReader[]>();
  for (const c of readers) {
    const g = groups.get(c.key);
    if (g) g.push(c);
    else groups.set(c.key, [c]);
  }
  return [...groups.values()];
}

function lowerCache(lines: readonly LogEvent[]): (i: number) => string {
  const lower = new Array<string | undefined>(lines.length);
  return (i) => (lower[i] ??= lines[i]!.message.toLowerCase());
}
