// Helpers for the request-body tests: an HTTP upload written chunk by chunk (with backpressure) that
// stops as soon as the server answers, or holds its last bytes back; and the server's peak memory.
import { request, type ClientRequest } from 'node:http';
import { readFileSync } from 'node:fs';

const CHUNK = Buffer.alloc(1024 * 1024, 0x61);

export interface Answer {
  readonly status?: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** Body bytes the client had sent when the answer came. */
  readonly sentWhenAnswered: number;
  /** The connection failed instead of answering (the error code). */
  readonly error?: string;
}

export interface Upload {
  readonly answer: Promise<Answer>;
  /** Body bytes sent so far. */
  sent(): number;
  /** Sends what was held back (to `total`), then ends the request. */
  finish(): Promise<void>;
  close(): void;
}

export interface UploadOptions {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** Body size; sent with Content-Length unless `chunked`. */
  readonly total: number;
  readonly chunked?: boolean;
  /** Stop sending at this many bytes (without ending) until finish(). Default: send it all. */
  readonly holdAt?: number;
}

export function upload(base: string, o: UploadOptions): Upload {
  const url = new URL(base);
  let sent = 0;
  let answered: Answer | undefined;
  const headers: Record<string, string | number> = { ...o.headers };
  if (!o.chunked) headers['content-length'] = o.total;
  let resolveAnswer!: (a: Answer) => void;
  const answer = new Promise<Answer>((r) => (resolveAnswer = r));
  const settle = (a: Answer) => {
    if (answered) return;
    answered = a;
    resolveAnswer(a);
  };
  const req: ClientRequest = request({ host: url.hostname, port: url.port, method: o.method ?? 'POST', path: o.path, headers, agent: false }, (res) => {
    const at = sent;
    let body = '';
    res.on('data', (c: Buffer) => (body += c.toString()));
    res.on('end', () => settle({ status: res.statusCode, headers: res.headers, body, sentWhenAnswered: at }));
    res.on('error', () => settle({ status: res.statusCode, headers: res.headers, body, sentWhenAnswered: at }));
  });
  req.on('error', (err: NodeJS.ErrnoException) => settle({ headers: {}, body: '', sentWhenAnswered: sent, error: err.code ?? err.message }));
  req.flushHeaders();
  const pump = async (until: number) => {
    while (sent < until && !answered && !req.destroyed) {
      const n = Math.min(CHUNK.length, until - sent);
      sent += n;
      if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) await new Promise((r) => req.once('drain', r));
      await new Promise((r) => setImmediate(r)); // let an answer in between chunks
    }
  };
  const held = o.holdAt ?? o.total;
  void pump(held).then(() => {
    if (held >= o.total && !answered && !req.destroyed) req.end();
  });
  return {
    answer,
    sent: () => sent,
    finish: async () => {
      await pump(o.total);
      if (!answered && !req.destroyed) req.end();
    },
    close: () => req.destroy(),
  };
}

export function rssMb(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** Samples the process' RSS until stopped; returns the highest seen (MB). */
export function peakRss(pid: number): { stop(): number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      // the process is gone: the test's own checks say so
    }
  }, 25);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rssMb(pid));
    },
  };
}
