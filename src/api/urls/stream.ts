// Serving one request to a function URL in RESPONSE_STREAM mode: the function runs with a sink
// (stream-sink.ts) that writes the HTTP response as the function writes its stream. A function that
// fails before its first byte is a 502, as in BUFFERED mode; one that does not stream at all has its
// result turned into the response as in BUFFERED mode. Once the head is out, the response ends with
// the function (its status was already sent).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionRecord } from '../../registry/types.js';
import type { InvocationInput } from '../../scheduler/invocation.js';
import { runFunction, type InvokePath } from '../invoke-path.js';
import type { CorsConfig } from './cors.js';
import { applyCors } from './cors.js';
import { urlResponse } from './response.js';
import { UrlStreamSink, type StreamHead } from './stream-sink.js';

export interface StreamedUrlCall {
  readonly path: InvokePath;
  readonly fn: FunctionRecord;
  readonly input: Omit<InvocationInput, 'stream'>;
  readonly cors: CorsConfig | undefined;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  /** A buffered answer (the 502 and a result that was not streamed). */
  readonly reply: (status: number, headers: Record<string, string | string[]>, body?: Buffer | string) => void;
}

export async function serveStreamed(call: StreamedUrlCall): Promise<void> {
  const { req, res } = call;
  const head = (h: StreamHead) => {
    const headers: Record<string, string | string[]> = { ...h.headers };
    if (call.cors) applyCors(call.cors, req.headers, headers as Record<string, string>);
    res.writeHead(h.status, { ...headers, 'x-amzn-requestid': call.requestId });
    res.flushHeaders();
  };
  const sink = new UrlStreamSink(res, head, req.method !== 'HEAD');
  // Throttled is the caller's (serve.ts answers 429).
  const result = await runFunction(call.path, call.fn, { ...call.input, stream: sink });
  if (sink.started) return void res.end();
  const failed = () => call.reply(502, { 'content-type': 'application/json' }, JSON.stringify({ Message: 'Internal Server Error' }));
  if (!result.ok || sink.bad) return failed();
  if (!result.streamed) {
    const response = urlResponse(result.payload);
    if (!response) return failed();
    const headers: Record<string, string | string[]> = { ...response.headers };
    if (call.cors) applyCors(call.cors, req.headers, headers as Record<string, string>);
    if (response.cookies.length > 0) headers['set-cookie'] = [...response.cookies];
    return call.reply(response.status, headers, req.method === 'HEAD' ? Buffer.alloc(0) : response.body);
  }
  // Streamed, but ended before its prelude's delimiter (or with nothing at all).
  const pending = sink.pendingHead();
  if (!pending) return failed();
  head(pending);
  res.end();
}
