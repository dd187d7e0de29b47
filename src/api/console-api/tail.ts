// GET /lambkin/v1/tail?function=&level=&q= — live tail: new log lines of one function (or of all)
// as server-sent events, as they are stored. `level` takes a comma-separated list of levels (as
// /lambkin/v1/events does), `q` a text every line must contain (case-insensitive). Each line is an
// `event: log` whose data is the line as JSON; a client that reads too slowly loses lines, and is
// told how many by an `event: dropped` (tail-fanout.ts delivers, off the invoke path). The browser's EventSource works when the server has no
// credentials; with them, a client sends a signed GET and reads the stream (the console does).
import { apiError } from '../../errors.js';
import type { LogReader } from '../../logs/index.js';
import type { Registry } from '../../registry/index.js';
import type { ApiResponse, Operation, ResponseStream } from '../http.js';
import { Query, logGroupOf } from '../investigate/query.js';
import { Fanout, type TailClient } from './tail-fanout.js';

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'PLATFORM'];
const MAX_CLIENTS = 64;
const HEARTBEAT_MS = 15_000;

export class TailHub {
  private readonly clients = new Set<TailClient>();
  private readonly fanout = new Fanout(this.clients);
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(store: Pick<LogReader, 'onWritten'>, private readonly registry: Registry) {
    this.unsubscribe = store.onWritten((batch) => this.fanout.push(batch));
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
      const client: Omit<TailClient, 'out'> = {
        group: fn === undefined ? undefined : logGroupOf(this.registry, fn), levels, text: q.string('q')?.toLowerCase(), skipped: 0,
      };
      return {
        status: 200,
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
        stream: (out) => {
          const c: TailClient = { ...client, out };
          this.clients.add(c);
          out.onClose(() => this.clients.delete(c));
          out.write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ function: fn ?? null, group: c.group ?? null })}\n\n`);
        },
      };
    };
  }

  close(): void {
    this.unsubscribe();
    this.fanout.close();
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.out.end();
    this.clients.clear();
  }
}
