// Response streaming as Lambda's Node.js runtime offers it: `awslambda.streamifyResponse(handler)`
// marks a handler `(event, responseStream, context)`, and `awslambda.HttpResponseStream.from(stream,
// {statusCode, headers, cookies})` starts an HTTP response for a function URL. What the handler
// writes goes to the Runtime API as it is written: one POST /response with chunked transfer and
// `Lambda-Runtime-Function-Response-Mode: streaming`, a failure after the first byte in its trailers.
// Writes wait for the socket (a Writable whose callbacks follow the request's), so a caller who is
// behind holds the handler back instead of filling this process's memory.
import { request } from 'node:http';
import { Writable } from 'node:stream';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8); // ends the HTTP prelude: 8 NUL bytes

export function installGlobals() {
  globalThis.awslambda = {
    streamifyResponse(handler, options) {
      if (typeof handler !== 'function') throw new TypeError('streamifyResponse expects a handler function');
      handler[STREAMING] = 'response';
      if (options !== undefined) handler.streamingOptions = options;
      return handler;
    },
    HttpResponseStream,
  };
}

export function isStreamingHandler(handler) {
  return typeof handler === 'function' && handler[STREAMING] === 'response';
}

// biome-ignore lint/complexity/noStaticOnlyClass: Lambda's API is this class with its static from()
class HttpResponseStream {
  /** Sets the stream up for an HTTP response: the prelude (status, headers, cookies) goes first. */
  static from(stream, prelude) {
    stream.setContentType(HTTP_INTEGRATION);
    stream.write(Buffer.concat([Buffer.from(JSON.stringify(prelude ?? {})), DELIMITER]));
    return stream;
  }
}

/** The stream a streaming handler writes to; the request to the Runtime API opens at its first byte (or end). */
export class ResponseStream extends Writable {
  /** @param {(contentType: string) => import('node:http').ClientRequest} open */
  constructor(open) {
    super({ highWaterMark: 64 * 1024 });
    this.open = open;
    this.contentType = 'application/octet-stream';
    this.req = null;
    this.broken = false;
  }

  setContentType(type) {
    if (this.req !== null) throw new Error('setContentType must be called before the first write');
    this.contentType = String(type);
  }

  get request() {
    if (this.req === null) {
      this.req = this.open(this.contentType);
      this.req.on('error', () => {
        this.broken = true; // the host refused or went away: what is still written has nowhere to go
      });
    }
    return this.req;
  }

  get opened() {
    return this.req !== null;
  }

  _write(chunk, _encoding, callback) {
    if (this.broken) return callback();
    this.request.write(chunk, () => callback());
  }

  _final(callback) {
    void this.request; // an empty response still opens (and ends) its request
    callback();
  }
}

/**
 * Opens the streamed /response for `id`; `answered` resolves with the host's status (0: none).
 * @param {{ host: string, port: number, socketPath?: string, hostHeader: string }} api
 */
export function streamRequest(api, id) {
  let answer;
  const answered = new Promise((resolve) => (answer = resolve));
  const open = (contentType) => {
    const req = request({
      ...(api.socketPath === undefined ? { host: api.host, port: api.port } : { socketPath: api.socketPath }),
      method: 'POST', path: `/2018-06-01/runtime/invocation/${encodeURIComponent(id)}/response`, agent: false,
      headers: {
        host: api.hostHeader, 'content-type': contentType, 'transfer-encoding': 'chunked',
        'lambda-runtime-function-response-mode': 'streaming',
        trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
      },
    });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => answer({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', () => answer({ status: 0, body: Buffer.alloc(0) }));
    });
    req.on('error', () => answer({ status: 0, body: Buffer.alloc(0) }));
    req.on('close', () => answer({ status: 0, body: Buffer.alloc(0) }));
    return req;
  };
  return { stream: new ResponseStream(open), answered };
}

/**
 * Ends a streamed response once the handler has settled: what was written is flushed, then the
 * request ends — with the error in its trailers when the handler failed.
 * @param {ResponseStream} stream
 * @param {{ errorType: string } | null} error the error response (errorType, errorMessage, stackTrace)
 */
export async function endStream(stream, error) {
  if (!stream.writableEnded && !stream.destroyed) stream.end();
  if (!stream.writableFinished && !stream.destroyed) {
    await new Promise((resolve) => {
      stream.once('finish', resolve);
      stream.once('close', resolve);
      stream.once('error', resolve);
    });
  }
  const req = stream.request;
  if (stream.broken || req.destroyed) return;
  if (error !== null) {
    req.addTrailers({
      'Lambda-Runtime-Function-Error-Type': headerSafe(error.errorType),
      'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(error)).toString('base64'),
    });
  }
  req.end();
}

function headerSafe(value) {
  return String(value).replace(/[^\x20-\x7e]/g, '');
}
