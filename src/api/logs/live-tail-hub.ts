// The Logs API's live tail sessions: every open StartLiveTail stream of this server, fed from the
// store's onWritten through the same Fanout as the console's tail (streaming/tail-fanout.ts: off
// the writer's turn, each line encoded once, 256 KB per slow reader). Bounded: MAX_SESSIONS open at
// once, each ends after `maxSessionMs` (AWS: 3 hours) with a SessionTimeoutException event; a reader
// that falls behind loses lines and its next update says `sampled: true`. While a session is open
// the hub listens as a `prompt` listener: the store writes lines within PROMPT_FLUSH_MS rather
// than its usual 500 ms batches, so that a tail sees a line soon after it is logged.
import { randomUUID } from 'node:crypto';
import type { LogEvent, LogReader } from '../../logs/index.js';
import type { ResponseStream } from '../http.js';
import { event, exception } from '../streaming/event-stream.js';
import { Fanout, type TailFormat, type TailReader } from '../streaming/tail-fanout.js';
import { LogsError } from './errors.js';
import type { Arns } from '../../registry/index.js';

export const MAX_SESSIONS = 16;
export const MAX_SESSION_MS = 3 * 60 * 60 * 1000;
/** Events in one sessionUpdate at most (as AWS). */
const EVENTS_PER_UPDATE = 500;
/** An empty sessionUpdate this often keeps idle connections (and proxies) open. */
const HEARTBEAT_MS = 15_000;

export interface LiveTailFilter {
  readonly groups: readonly string[];
  readonly streamNames?: readonly string[];
  readonly streamPrefixes?: readonly string[];
  readonly pattern?: { test(message: string): boolean };
  /** Identifies the filter: sessions with the same key share their chosen lines. */
  readonly key: string;
}

export class LiveTailHub {
  private readonly readers = new Set<TailReader>();
  private readonly fanout: Fanout;
  private unsubscribe: (() => void) | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly ends = new Set<() => void>();

  constructor(private readonly store: Pick<LogReader, 'onWritten'>, arns: Arns, private readonly maxSessionMs = MAX_SESSION_MS) {
    this.fanout = new Fanout(this.readers, liveTailFormat(arns));
    this.heartbeat = setInterval(() => {
      for (const r of this.readers) r.out.write(EMPTY_UPDATE);
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Refuses a session over the limit now, before the response starts. */
  admit(): void {
    if (this.ends.size >= MAX_SESSIONS) {
      throw new LogsError('LimitExceededException', `At most ${MAX_SESSIONS} live tail sessions may be open at once on this server; end one and retry.`);
    }
  }

  /** Starts a session on `out`: the sessionStart event, then updates until the client goes or time is up. */
  open(out: ResponseStream, filter: LiveTailFilter, start: Record<string, unknown>): void {
    const reader: TailReader = { out, key: filter.key, matches: matcher(filter), skipped: 0 };
    const end = (): void => {
      clearTimeout(timer);
      this.readers.delete(reader);
      this.ends.delete(end);
      if (this.ends.size === 0) this.listen(false);
    };
    const timer = setTimeout(() => {
      out.write(exception('SessionTimeoutException', `The live tail session reached its maximum of ${Math.round(this.maxSessionMs / 1000)} seconds; start a new one.`));
      end();
      out.end();
    }, this.maxSessionMs);
    timer.unref();
    this.ends.add(end);
    this.listen(true);
    out.onClose(end);
    // JSON protocols' event streams open with an `initial-response` event (the output's non-stream
    // members: none here); botocore refuses a stream without it.
    out.write(INITIAL_RESPONSE);
    out.write(event('sessionStart', 'application/json', Buffer.from(JSON.stringify({ sessionId: randomUUID(), ...start }))));
    this.readers.add(reader);
  }

  /** Ends every open session (the server is closing). */
  close(): void {
    this.listen(false);
    this.fanout.close();
    clearInterval(this.heartbeat);
    for (const r of this.readers) r.out.end();
    for (const end of [...this.ends]) end();
  }

  private listen(on: boolean): void {
    if (on) this.unsubscribe ??= this.store.onWritten((batch) => this.fanout.push(batch), { prompt: true });
    else {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
    }
  }
}

function matcher(f: LiveTailFilter): TailReader['matches'] {
  return (e) => {
    if (!f.groups.includes(e.group)) return false;
    if (f.streamNames && !f.streamNames.includes(e.stream)) return false;
    if (f.streamPrefixes && !f.streamPrefixes.some((p) => e.stream.startsWith(p))) return false;
    return f.pattern === undefined || f.pattern.test(e.message);
  };
}

const EMPTY_UPDATE = update([], false);
const INITIAL_RESPONSE = event('initial-response', 'application/json', Buffer.from('{}'));

function update(lines: readonly string[], sampled: boolean): Buffer {
  const body = `{"sessionMetadata":{"sampled":${sampled}},"sessionResults":[${lines.join(',')}]}`;
  return event('sessionUpdate', 'application/json', Buffer.from(body));
}

/** sessionUpdate events of at most 500 results; a gap is told as an update with `sampled: true`. */
const liveTailFormat = (arns: Arns): TailFormat => ({
  line: (e: LogEvent) => JSON.stringify({
    logStreamName: e.stream, logGroupIdentifier: arns.logGroupArn(e.group), message: e.message, timestamp: e.timestamp, ingestionTime: Date.now(),
  }),
  payload(lines) {
    if (lines.length <= EVENTS_PER_UPDATE) return update(lines, false);
    const parts: Buffer[] = [];
    for (let i = 0; i < lines.length; i += EVENTS_PER_UPDATE) parts.push(update(lines.slice(i, i + EVENTS_PER_UPDATE), false));
    return Buffer.concat(parts);
  },
  dropped: () => update([], true),
});
