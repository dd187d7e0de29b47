// GET /lambkin/v1/tail?function=&level=&q= — live tail: new log lines of one function (or of all)
// as server-sent events, as they are stored. `level` takes a comma-separated list of levels (as
// /lambkin/v1/events does), `q` a text every line must contain (case-insensitive). Each line is an
// `event: log` whose data is the line as JSON; a client that reads too slowly loses lines, and is
// told how many by an `event: dropped` (streaming/tail-fanout.ts delivers, off the invoke path). The browser's EventSource works when the server has no
// credentials; with them, a client sends a signed GET and reads the stream (the console does).
import { apiError } from '../../errors.js';
import type { LogEvent, LogReader } from '../../logs/index.js';
import type { Registry } from '../../registry/index.js';
import type { TailLineView } from '../../wire.js';
import type { ApiResponse, Operation } from '../http.js';
import { Query, logGroupOf } from '../investigate/query.js';
import { Fanout, type TailFormat, type TailReader } from '../streaming/tail-fanout.js';

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'PLATFORM'];
const MAX_CLIENTS = 64;
const HEARTBEAT_MS = 15_000;

export class TailHub {
  private readonly clients = new Set<TailReader>();
  private readonly fanout = new Fanout(this.clients, SSE_FORMAT);
  // Listens to the store only while a client is open: on a cluster, a listener of lines makes the
  // other nodes send theirs over NATS (cluster/log-feed.ts).
  private unsubscribe: (() => void) | undefined;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly store: Pick<LogReader, 'onWritten'>, private readonly registry: Registry) {
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) c.out.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  operation(): Operation {
    return (req): ApiResponse => {
      const q = new Query(req);
      const fn = q.string('function');
      const levels = q.string('level')?.toUpperCase().split(',');
      const bad = levels?.find((l) => !LEVELS.includes(l));
      if (bad !== undefined) throw apiError('InvalidParameterValueException', `'level' takes a comma-separated list of ${LEVELS.join(', ')} (got '${bad}').`);
      if (fn !== undefined && !this.registry.get(fn)) throw apiError('ResourceNotFoundException', `Function not found: ${fn}`);
      if (this.clients.size >= MAX_CLIENTS) throw apiError('TooManyRequestsException', `At most ${MAX_CLIENTS} live tails may be open at once.`);
      const group = fn === undefined ? undefined : logGroupOf(this.registry, fn);
      const text = q.string('q')?.toLowerCase();
      const filter = { key: `${group ?? ''}\0${levels?.join(',') ?? ''}\0${text ?? ''}`, matches: matcher(group, levels, text) };
      return {
        status: 200,
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
        stream: (out) => {
          const c: TailReader = { ...filter, out, skipped: 0 };
          this.clients.add(c);
          this.unsubscribe ??= this.store.onWritten((batch) => this.fanout.push(batch));
          out.onClose(() => {
            this.clients.delete(c);
            if (this.clients.size > 0) return;
            this.unsubscribe?.();
            this.unsubscribe = undefined;
          });
          out.write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ function: fn ?? null, group: group ?? null })}\n\n`);
        },
      };
    };
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.fanout.close();
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.out.end();
    this.clients.clear();
  }
}

function matcher(group: string | undefined, levels: readonly string[] | undefined, text: string | undefined): TailReader['matches'] {
  return (e, lower) => {
    if (group !== undefined && e.group !== group) return false;
    if (levels !== undefined && (e.level === undefined || !levels.includes(e.level))) return false;
    return text === undefined || lower().includes(text);
  };
}

/** Server-sent events: one `event: log` per line, `event: dropped` after a gap. */
const SSE_FORMAT: TailFormat = {
  line(e: LogEvent): string {
    const fn = e.group.startsWith('/aws/lambda/') ? e.group.slice(12) : undefined;
    const line = {
      timestamp: e.timestamp, logGroup: e.group, functionName: fn, logStream: e.stream, envId: e.envId,
      requestId: e.requestId, level: e.level, message: e.message,
    } satisfies TailLineView;
    return `event: log\ndata: ${JSON.stringify(line)}\n\n`;
  },
  payload: (lines) => Buffer.from(lines.join('')),
  dropped: (lines) => `event: dropped\ndata: ${JSON.stringify({ lines, message: `${lines} lines skipped (this reader was too slow for the stream)` })}\n\n`,
};
