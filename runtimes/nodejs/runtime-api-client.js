// A small HTTP/1.1 client for the Runtime API: one kept-alive TCP socket, requests answered in
// order (the protocol is strictly sequential: next, then response or error, then next …). A result
// and the next poll may go out together (postThenNext): one write, and no wake-up of this process
// nor of the host between the result's 202 and the poll.
// Why not `http`/`fetch`: every environment is a fresh process, and Node's http machinery costs
// about twice as much per request until V8 has warmed it up — which, with traffic spread over many
// environments, takes tens of seconds. This client is fast from the first request.
import { connect } from 'node:net';

const PREFIX = '/2018-06-01/runtime/';
const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
const MAX_HEAD = 64 * 1024;

// Parser states.
const HEAD = 0;
const BODY = 1;
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const CHUNK_END = 4;
const TRAILER = 5;
const UNTIL_CLOSE = 6;

/** @typedef {{ status: number, headers: Record<string, string>, body: Buffer }} ApiResponse */

export class RuntimeApiClient {
  /**
   * @param {string} address host:port, as in AWS_LAMBDA_RUNTIME_API (also the Host header)
   * @param {string} [socketPath] a unix socket to connect to instead of host:port
   */
  constructor(address, socketPath) {
    const colon = address.lastIndexOf(':');
    const host = address.slice(0, colon);
    this.host = host.startsWith('[') ? host.slice(1, -1) : host || '127.0.0.1';
    this.port = Number(address.slice(colon + 1));
    this.hostHeader = address;
    this.socketPath = socketPath;
    this.nextRequest = Buffer.from(`GET ${PREFIX}invocation/next HTTP/1.1\r\nHost: ${address}\r\n\r\n`, 'latin1');
    this.socket = null;
    this.used = false; // the current socket has carried a complete exchange
    this.queue = []; // sent, not yet answered, in order: { resolve, reject, request, retried, reused, gotBytes }
    this.leftover = null;
    this.resetParser();
  }

  /** @returns {Promise<ApiResponse>} the next event; may wait for minutes (no timeout, by design). */
  next() {
    return this.request(this.nextRequest);
  }

  /**
   * A result (as post) and, in the same write, the poll for the next event: the host answers them
   * in order. Not for the last result before the process exits (the poll would be left open).
   * @returns {[Promise<ApiResponse>, Promise<ApiResponse>]} the result's answer, then the next event
   */
  postThenNext(path, body, errorType) {
    const posted = this.request(this.postRequest(path, body, errorType), false);
    const next = this.request(this.nextRequest, false);
    this.send();
    return [posted, next];
  }

  post(path, body, errorType) {
    return this.request(this.postRequest(path, body, errorType));
  }

  postRequest(path, body, errorType) {
    const typeHeader = errorType === undefined ? '' : `Lambda-Runtime-Function-Error-Type: ${headerSafe(errorType)}\r\n`;
    // Head and body in one string, so one write and (for small bodies) one TCP segment.
    return `POST ${PREFIX}${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n${typeHeader}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  }

  /**
   * @param {string | Buffer} request the whole request, head and body
   * @param {boolean} [now] send it at once (else the caller sends what is queued with send())
   */
  request(request, now = true) {
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject, request, retried: false, reused: false, gotBytes: false, sent: false });
      if (now) this.send();
    });
  }

  /** Writes what is queued and not yet sent, in one write. */
  send() {
    if (this.socket === null) this.open();
    const out = [];
    for (const p of this.queue) {
      if (p.sent) continue;
      p.sent = true;
      p.reused = this.used;
      p.gotBytes = false;
      out.push(p.request);
    }
    if (out.length === 0) return;
    this.socket.ref();
    this.socket.write(out.length === 1 ? out[0] : out.join(''));
  }

  open() {
    const socket = this.socketPath === undefined ? connect(this.port, this.host) : connect(this.socketPath);
    socket.setNoDelay(true); // a no-op on a unix socket
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.onClose(socket, err));
    socket.on('close', () => this.onClose(socket, null));
    this.socket = socket;
    this.used = false;
    this.leftover = null;
    this.resetParser();
  }

  onClose(socket, err) {
    if (socket !== this.socket) return;
    this.socket = null;
    const p = this.queue[0];
    if (p === undefined) return;
    if (this.state === UNTIL_CLOSE) {
      this.body = Buffer.concat(this.chunks);
      this.complete();
      return;
    }
    // Nothing of the answer arrived on a socket that had served earlier requests: the server
    // closed the idle keep-alive connection as we wrote. The request was not seen; send it again
    // (with whatever was sent behind it).
    if (p.reused && !p.gotBytes && !p.retried) {
      p.retried = true;
      this.resend();
      return;
    }
    for (const q of this.queue.splice(0)) q.reject(err ?? new Error('Runtime API closed the connection'));
  }

  /** Sends again, on a new connection, every request still waiting for its answer. */
  resend() {
    for (const q of this.queue) q.sent = false;
    this.send();
  }

  resetParser() {
    this.state = HEAD;
    this.status = 0;
    this.headers = null;
    this.remaining = 0;
    this.body = null;
    this.bodyOff = 0;
    this.chunks = null;
    this.closeAfter = false;
  }

  onData(chunk) {
    if (this.queue.length > 0) this.queue[0].gotBytes = true;
    if (this.leftover !== null) {
      chunk = Buffer.concat([this.leftover, chunk]);
      this.leftover = null;
    }
    const n = chunk.length;
    let off = 0;
    while (off < n) {
      switch (this.state) {
        case HEAD: {
          const end = chunk.indexOf(HEAD_END, off);
          if (end < 0) return this.keep(chunk, off, MAX_HEAD);
          const start = off;
          off = end + 4;
          this.parseHead(chunk.toString('utf8', start, end));
          break;
        }
        case BODY: {
          const take = Math.min(n - off, this.remaining);
          if (this.body === null) {
            if (take === this.remaining) {
              // The whole body is in this chunk (the usual case): no copy.
              this.body = chunk.subarray(off, off + take);
              off += take;
              this.complete();
              break;
            }
            this.body = Buffer.allocUnsafe(this.remaining);
          }
          chunk.copy(this.body, this.bodyOff, off, off + take);
          this.bodyOff += take;
          this.remaining -= take;
          off += take;
          if (this.remaining === 0) this.complete();
          break;
        }
        case CHUNK_SIZE: {
          const eol = chunk.indexOf(CRLF, off);
          if (eol < 0) return this.keep(chunk, off, 1024);
          const size = parseInt(chunk.toString('latin1', off, eol), 16); // stops at ";ext"
          if (!(size >= 0)) return this.fail(new Error('Runtime API sent a malformed chunk size'));
          off = eol + 2;
          this.remaining = size;
          this.state = size === 0 ? TRAILER : CHUNK_DATA;
          break;
        }
        case CHUNK_DATA: {
          const take = Math.min(n - off, this.remaining);
          this.chunks.push(chunk.subarray(off, off + take)); // 'data' chunks are never reused
          this.remaining -= take;
          off += take;
          if (this.remaining === 0) this.state = CHUNK_END;
          break;
        }
        case CHUNK_END: {
          if (n - off < 2) return this.keep(chunk, off, 2);
          off += 2;
          this.state = CHUNK_SIZE;
          break;
        }
        case TRAILER: {
          const eol = chunk.indexOf(CRLF, off);
          if (eol < 0) return this.keep(chunk, off, MAX_HEAD);
          const last = eol === off;
          off = eol + 2;
          if (last) {
            this.body = Buffer.concat(this.chunks);
            this.complete();
          }
          break;
        }
        case UNTIL_CLOSE: {
          this.chunks.push(chunk.subarray(off));
          off = n;
          break;
        }
      }
    }
  }

  /** Keep an incomplete piece for the next 'data' event. */
  keep(chunk, off, limit) {
    if (chunk.length - off > limit) return this.fail(new Error('Runtime API sent an oversized header line'));
    this.leftover = chunk.subarray(off);
  }

  parseHead(text) {
    let eol = text.indexOf('\r\n');
    if (eol < 0) eol = text.length;
    this.status = parseInt(text.slice(9, 12), 10); // "HTTP/1.1 202 Accepted"
    const headers = Object.create(null);
    let pos = eol + 2;
    while (pos < text.length) {
      eol = text.indexOf('\r\n', pos);
      if (eol < 0) eol = text.length;
      const colon = text.indexOf(':', pos);
      if (colon > pos && colon < eol) headers[text.slice(pos, colon).toLowerCase()] = text.slice(colon + 1, eol).trim();
      pos = eol + 2;
    }
    this.headers = headers;
    this.closeAfter = headers.connection !== undefined && headers.connection.toLowerCase() === 'close';
    if (this.status < 200) {
      this.resetParser(); // 1xx: the real answer follows
    } else if (this.status === 204 || this.status === 304) {
      this.body = Buffer.alloc(0);
      this.complete();
    } else if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      this.chunks = [];
      this.state = CHUNK_SIZE;
    } else if (headers['content-length'] !== undefined) {
      this.remaining = Number(headers['content-length']);
      if (this.remaining === 0) {
        this.body = Buffer.alloc(0);
        this.complete();
      } else {
        this.state = BODY;
      }
    } else {
      this.chunks = [];
      this.state = UNTIL_CLOSE;
    }
  }

  complete() {
    const response = { status: this.status, headers: this.headers, body: this.body };
    const socket = this.socket;
    const p = this.queue.shift();
    this.used = true;
    this.resetParser();
    if (this.queue.length > 0) this.queue[0].gotBytes = false;
    if (this.closeAfter && socket !== null) {
      this.socket = null;
      socket.destroy();
      // The host closed the connection after this answer: what was sent behind it was not read.
      this.leftover = null;
      if (this.queue.length > 0) this.resend();
    } else if (socket !== null && this.queue.length === 0) {
      // Between requests the socket must not keep the process alive: the runtime finishes a
      // handler that returns nothing when the event loop empties ('beforeExit'), as Lambda does.
      socket.unref();
    }
    if (p !== undefined) p.resolve(response);
  }

  fail(err) {
    const queued = this.queue.splice(0);
    this.leftover = null;
    this.resetParser();
    if (this.socket !== null) {
      const socket = this.socket;
      this.socket = null;
      socket.destroy();
    }
    for (const p of queued) p.reject(err);
  }
}

/** A header value cannot carry CR/LF or non-ASCII: keep printable ASCII only. */
function headerSafe(value) {
  return String(value).replace(/[^\x20-\x7e]/g, '');
}
