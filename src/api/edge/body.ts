// Reading a request body into memory, within two limits: the operation's own (a declared
// Content-Length over it is refused before a byte is read; a chunked body is cut where it passes
// it) and the server-wide budget of bytes held in request bodies at once (BodyBudget). A body
// refused halfway is still drained — discarded as it arrives, never kept — so that the client can
// read the answer; the edge closes the connection if it keeps sending (see linger in pipeline.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Why a body was not read: over the operation's limit, or the server's budget is spent. */
export class BodyRefused extends Error {
  constructor(readonly reason: 'too-large' | 'busy', readonly limit: number) {
    super(reason === 'too-large' ? `request body over ${limit} bytes` : `request bodies over the server's budget of ${limit} bytes`);
  }
}

/**
 * Bytes of request bodies held in memory, server-wide. Each request reserves its body as it is
 * read and gives it back when its response is done (the body lives until then): many slow or
 * large uploads at once are refused at the door instead of filling the server's memory.
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly total: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Takes n bytes if they fit; false (nothing taken) if not. */
  take(n: number): boolean {
    if (this.used + n > this.total) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

/** Content-Length as a number, undefined when absent (chunked) or not a plain number. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined; // Node refuses other forms
  return Number(raw);
}

/**
 * The whole body, at most `limit` bytes, charged to `budget` until `res` closes. Rejects with
 * BodyRefused (before reading when Content-Length tells), or with the stream's error.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, limit: number, budget: BodyBudget): Promise<Buffer> {
  let held = 0;
  const charge = (n: number): boolean => {
    if (!budget.take(n)) return false;
    held += n;
    return true;
  };
  res.once('close', () => budget.give(held));
  const declared = declaredLength(req);
  if (declared !== undefined) {
    if (declared > limit) return Promise.reject(new BodyRefused('too-large', limit));
    if (!charge(declared)) return Promise.reject(new BodyRefused('busy', budget.total));
    if (declared === 0 && req.complete) return Promise.resolve(Buffer.alloc(0));
  }
  if (/100-continue/i.test(req.headers.expect ?? '') && !res.headersSent) res.writeContinue();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const refuse = (err: BodyRefused) => {
      refused = true;
      chunks.length = 0;
      reject(err);
    };
    req.on('data', (c: Buffer) => {
      if (refused) return; // drained: read and dropped
      size += c.length;
      if (size > limit) return refuse(new BodyRefused('too-large', limit));
      // A chunked body is charged as it comes; a declared one was charged in full up front.
      if (declared === undefined && !charge(c.length)) return refuse(new BodyRefused('busy', budget.total));
      chunks.push(c);
    });
    req.once('end', () => {
      if (!refused) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.once('error', (err) => {
      if (!refused) reject(err);
    });
    // A client gone before the end: no 'error' is emitted unless listened to in time; 'close' is.
    const gone = () => reject(new Error('the client closed the connection before sending the whole body'));
    if (req.destroyed && !req.complete) gone();
    else req.once('close', () => req.complete || gone());
  });
}

/** How long a client answered before it finished sending may go on sending (discarded). */
export const LINGER_MS = 5_000;

/**
 * Once `res` is sent: a body still arriving is drained (Node discards what nobody reads) for
 * LINGER_MS at most, then the connection is closed; so a client trickling a body it was told is
 * refused cannot hold its connection, and a client still sending reads the answer, not a reset.
 * Node closes a `Connection: close` socket as soon as the answer is written (destroySoon: end,
 * then destroy once flushed); closed with unread bytes, a socket sends a reset, which can reach
 * the client before the answer does. So the destroy waits for the body's end (a lingering close).
 */
export function lingerAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    const socket = req.socket;
    if (req.complete || req.destroyed || !socket) return;
    socket.removeListener('finish', socket.destroy); // Node's pending destroySoon, if any
    const close = () => {
      clearTimeout(timer);
      if (socket.writableEnded) socket.destroy(); // a keep-alive connection stays for its next request
    };
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    req.once('end', close);
    socket.once('close', () => clearTimeout(timer));
  });
}
