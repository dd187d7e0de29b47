// Delivering stored log lines to the live tails, off the invoke path and at a cost that does not
// grow with the number of readers: with 64 clients that never read and one function flooding
// stdout, each client got its own JSON encoding of every line and kept up to 1 MB of it, and warm
// invokes of another function went from 2.1 ms to 307 ms at p50 (the server +130 MB).
//
// - Lines wait in one queue and go out on later turns of the event loop (setImmediate), a few
//   thousand per turn, so that invocations' I/O runs in between; the writer's turn stays short.
// - Each line is encoded once per turn, whoever reads it; clients with the same filter share one
//   Buffer per turn (a socket write keeps a reference, not a copy).
// - A client holds at most CLIENT_BUFFER_BYTES waiting to be sent; beyond that its lines are
//   skipped, counted, and it is told `event: dropped` ("N lines skipped") once it reads again.
import type { Batch, LogEvent } from '../../logs/index.js';
import type { ResponseStream } from '../http.js';

/** Bytes one tail client may have waiting to be sent before its lines are skipped. */
export const CLIENT_BUFFER_BYTES = 256 * 1024;
/** Lines sent per turn of the event loop. */
const LINES_PER_TURN = 2000;
/** Lines waiting at most; past that the oldest are skipped (the server is behind, not a client). */
const MAX_PENDING_LINES = 20_000;

export interface TailClient {
  readonly out: ResponseStream;
  readonly group: string | undefined;
  readonly levels: readonly string[] | undefined;
  /** Lower-cased text every line must contain. */
  readonly text: string | undefined;
  /** Lines this client missed; told before its next lines. */
  skipped: number;
}

export class Fanout {
  private pending: LogEvent[] = [];
  private head = 0;
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly clients: ReadonlySet<TailClient>) {}

  push(batch: Batch): void {
    if (this.clients.size === 0 || batch.events.length === 0) return;
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
    if (this.clients.size > 0 && lines.length > 0) deliver(lines, this.clients);
  }

  /** Lines no client will get: each client whose filter they pass counts them. */
  private skip(lines: readonly LogEvent[]): void {
    const lower = new Array<string | undefined>(lines.length);
    for (const c of this.clients) {
      for (let i = 0; i < lines.length; i++) if (matches(c, lines[i]!, i, lower)) c.skipped++;
    }
  }
}

function deliver(lines: readonly LogEvent[], clients: ReadonlySet<TailClient>): void {
  const encoded = new Array<string | undefined>(lines.length);
  const lower = new Array<string | undefined>(lines.length);
  for (const group of byFilter(clients)) {
    const filter = group[0]!;
    // A client that is skipping takes lines again once half its budget has drained.
    const ready = group.filter((c) => c.out.buffered <= (c.skipped > 0 ? CLIENT_BUFFER_BYTES / 2 : CLIENT_BUFFER_BYTES));
    const parts: string[] = [];
    let size = 0;
    let matched = 0;
    for (let i = 0; i < lines.length; i++) {
      if (!matches(filter, lines[i]!, i, lower)) continue;
      matched++;
      if (ready.length === 0 || size >= CLIENT_BUFFER_BYTES) continue;
      const text = (encoded[i] ??= encode(lines[i]!));
      parts.push(text);
      size += text.length;
    }
    if (matched === 0) continue;
    const excess = matched - parts.length; // over this turn's budget: skipped by every client
    for (const c of group) if (!ready.includes(c)) c.skipped += matched;
    if (parts.length === 0) {
      for (const c of ready) c.skipped += excess;
      continue;
    }
    const payload = Buffer.from(parts.join(''));
    for (const c of ready) {
      if (c.skipped > 0) c.out.write(dropped(c.skipped)); // before the lines after the gap
      c.skipped = excess;
      c.out.write(payload);
    }
  }
}

/** The clients grouped by filter: each group's lines are chosen and encoded once. */
function byFilter(clients: ReadonlySet<TailClient>): TailClient[][] {
  const groups = new Map<string, TailClient[]>();
  for (const c of clients) {
    const key = `${c.group ?? ''}\0${c.levels?.join(',') ?? ''}\0${c.text ?? ''}`;
    const g = groups.get(key);
    if (g) g.push(c);
    else groups.set(key, [c]);
  }
  return [...groups.values()];
}

function matches(c: TailClient, e: LogEvent, i: number, lower: (string | undefined)[]): boolean {
  if (c.group !== undefined && e.group !== c.group) return false;
  if (c.levels !== undefined && (e.level === undefined || !c.levels.includes(e.level))) return false;
  return c.text === undefined || (lower[i] ??= e.message.toLowerCase()).includes(c.text);
}

function dropped(lines: number): string {
  return `event: dropped\ndata: ${JSON.stringify({ lines, message: `${lines} lines skipped (this reader was too slow for the stream)` })}\n\n`;
}

function encode(e: LogEvent): string {
  const fn = e.group.startsWith('/aws/lambda/') ? e.group.slice(12) : undefined;
  const line = {
    timestamp: e.timestamp, logGroup: e.group, functionName: fn, logStream: e.stream, envId: e.envId,
    requestId: e.requestId, level: e.level, message: e.message,
  };
  return `event: log\ndata: ${JSON.stringify(line)}\n\n`;
}
