// POST /runtime/invocation/{id}/response with `Lambda-Runtime-Function-Response-Mode: streaming`:
// the body (chunked) is handed on chunk by chunk as it arrives; the outcome comes at its end — in
// the trailers `Lambda-Runtime-Function-Error-Type` and `-Error-Body` (base64) when the function
// failed mid-stream. A caller who is behind pauses this socket (TCP then holds the runtime back), so
// that what lambkin holds per stream is what the caller's socket buffers, not the function's output.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RuntimeStream } from '../invocation.js';
import type { BodyGate } from './body-gate.js';
import { parseErrorBody } from './error-body.js';
import type { Refusal, RuntimeApiHost, RuntimeErrorBody } from './host.js';
import { acceptedAfterCaller, refuse, refuseUnread } from './reply.js';

type Ending = 'end' | 'too-large' | 'broken';

export function isStreaming(req: IncomingMessage): boolean {
  return String(req.headers['lambda-runtime-function-response-mode'] ?? '').toLowerCase() === 'streaming';
}

export async function handleStreamedResponse(host: RuntimeApiHost, gate: BodyGate, id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const refusal = host.admits(id) ?? gate.claim();
  if (refusal) return refuseUnread(req, res, refusal);
  try {
    const contentType = req.headers['content-type'] ?? 'application/octet-stream';
    const stream = host.beginStream(id, contentType);
    if ('status' in stream) return refuseUnread(req, res, stream);
    let ending: Ending;
    try {
      ending = await pump(req, stream);
    } catch (err) {
      // lambkin's own failure (boundary.ts logs it): the invocation ends now, not at its Timeout.
      stream.end({ errorType: 'Runtime.TruncatedResponse', errorMessage: 'lambkin could not pass the streamed response on; the details are in the server log.', stackTrace: [] });
      throw err;
    }
    if (ending === 'too-large') {
      res.shouldKeepAlive = false; // the rest of the body is still coming, and will not be read
      stream.end({
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: `Response payload size exceeded maximum allowed payload size (${stream.limit} bytes).`,
        stackTrace: [],
      });
      return refuse(res, { status: 413, errorType: 'RequestEntityTooLarge', errorMessage: `Exceeded maximum allowed payload size (${stream.limit} bytes).` }, true);
    }
    if (ending === 'broken') {
      stream.end({ errorType: 'Runtime.TruncatedResponse', errorMessage: `The runtime's streamed response broke off after ${stream.bytes} bytes, before its end.`, stackTrace: [] });
      return void res.destroy();
    }
    if (!stream.end(trailerError(req))) return refuse(res, LATE);
  } finally {
    gate.release();
  }
  await acceptedAfterCaller(host, res);
}

/**
 * Reads the body into the stream until it ends, breaks off or passes the stream's limit; rejects
 * when handing a chunk on throws (inside a 'data' listener, a throw would end the process).
 */
function pump(req: IncomingMessage, stream: RuntimeStream): Promise<Ending> {
  return new Promise((resolve, reject) => {
    let over = false;
    const done = (how: Ending) => {
      if (over) return;
      over = true;
      req.off('data', onData);
      resolve(how);
    };
    const onData = (chunk: Buffer) => {
      let verdict: ReturnType<RuntimeStream['chunk']>;
      try {
        verdict = stream.chunk(chunk);
      } catch (err) {
        over = true;
        req.off('data', onData);
        req.pause();
        return reject(err);
      }
      if (verdict === 'too-large') {
        req.pause();
        done('too-large');
      } else if (verdict === 'wait') {
        req.pause();
        void stream.drained().then(() => {
          if (!over) req.resume();
        });
      }
    };
    req.on('data', onData);
    req.once('end', () => done('end'));
    req.once('error', () => done('broken'));
    req.once('close', () => {
      if (!req.complete) done('broken');
    });
  });
}

/** The function's error, when the runtime put one in the trailers. */
function trailerError(req: IncomingMessage): RuntimeErrorBody | undefined {
  const type = req.trailers['lambda-runtime-function-error-type'];
  const body = req.trailers['lambda-runtime-function-error-body'];
  if (type === undefined && body === undefined) return undefined;
  return parseErrorBody(Buffer.from(body ?? '', 'base64'), type || undefined);
}

const LATE: Refusal = {
  status: 403, errorType: 'InvalidStateTransition',
  errorMessage: 'The invocation ended (its timeout) before this streamed response did.',
};
