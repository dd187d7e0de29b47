// GET /lambkin/v1/tail?function=&level=&q= — live tail: new log lines of one function (or of all)
// as server-sent events, as they are stored. `level` takes a comma-separated list of levels (as
// /lambkin/v1/events does), `q` a text every line must contain (case-insensitive). Each line is an
// `event: log` whose data is the line as JSON; a client that reads too slowly loses lines, and is
// told how many by an `event: dropped`. The browser's EventSource works when the server has no
// credentials; with them, a client sends a signed GET and reads the stream (the console does).
import { apiError } from '../../errors.js';
import type { Batch, LogEvent, LogStore } from '../../logs/index.js';
import type { Registry } from '../../registry/index.js';
import type { ApiResponse, Operation, ResponseStream } from '../http.js';
import { Query, logGroupOf } from '../investigate/query.js';

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'PLATFORM'];
const MAX_CLIENTS = 64;
const MAX_BUFFERED = 1024 * 1024;
const HEARTBEAT_MS = 15_000;

interface Client {
  readonly out: ResponseStream;
  readonly group: string | undefined;
  readonly levels: readonly string[] | undefined;
  readonly text: string | undefined;
  dropped: number;
}

export class TailHub {
  private readonly clients = new Set<Client>();
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(store: LogStore, private readonly registry: Registry) {
    this.unsubscribe = store.onWritten((batch) => this.publish(batch));
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
      const client: Omit<Client, 'out'> = {
        group: fn === undefined ? undefined : logGroupOf(this.registry, fn), levels, text: q.string('q')?.toLowerCase(), dropped: 0,
      };
      return {
        status: 200,
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
        stream: (out) => {
          const c: Client = { ...client, out };
          this.clients.add(c);
          out.onClose(() => this.clients.delete(c));
          out.write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ function: fn ?? null, group: c.group ?? null })}\n\n`);
        },
      };
    };
  }

  close(): void {
    this.unsubscribe();
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.out.end();
    this.clients.clear();
  }

  private publish(batch: Batch): void {
    if (this.clients.size === 0 || batch.events.length === 0) return;
    for (const c of this.clients) {
      let text = '';
      for (const e of batch.events) if (matches(c, e)) text += `event: log\ndata: ${JSON.stringify(lineJson(e))}\n\n`;
      if (!text) continue;
      if (c.out.buffered > MAX_BUFFERED) {
        c.dropped += text.split('event: log').length - 1;
        continue;
      }
      if (c.dropped > 0) {
        text = `event: dropped\ndata: ${JSON.stringify({ lines: c.dropped })}\n\n${text}`;
        c.dropped = 0;
      }
      c.out.write(text);
    }
  }
}

function matches(c: Client, e: LogEvent): boolean {
  if (c.group !== undefined && e.group !== c.group) return false;
  if (c.levels !== undefined && (e.level === undefined || !c.levels.includes(e.level))) return false;
  return c.text === undefined || e.message.toLowerCase().includes(c.text);
}

function lineJson(e: LogEvent): object {
  const fn = e.group.startsWith('/aws/lambda/') ? e.group.slice(12) : undefined;
  return {
    timestamp: e.timestamp, logGroup: e.group, functionName: fn, logStream: e.stream, envId: e.envId,
    requestId: e.requestId, level: e.level, message: e.message,
  };
}
