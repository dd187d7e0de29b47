// Response streaming with the real SDK and real runtimes: InvokeWithResponseStream reads the
// function's chunks as PayloadChunk events while it runs, then InvokeComplete (with the error of a
// function that fails mid-stream, or that passed 20 MB); a buffered Invoke gets the whole body; a
// custom runtime streams with curl. Tests that must see the first chunk before the function ends
// hold the function until the test releases it through a shared folder (--sandbox process); the
// rest run in the default sandbox.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateFunctionUrlConfigCommand, GetFunctionUrlConfigCommand, InvokeCommand, InvokeWithResponseStreamCommand, type LambdaClient,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { invocationLog } from '../helpers/logs.js';
import { NODE, PROCESS_SANDBOX, createFunction, waitFor } from '../helpers/functions.js';
import { STREAMING_NODE, STREAMING_SHELL, type StreamEvent, PROVIDED } from './streaming-fixtures.js';

let ns: Lambkin;
let held: Lambkin;
let holdDir: string;

beforeAll(async () => {
  holdDir = mkdtempSync(join(tmpdir(), 'lambkin-stream-hold-'));
  [ns, held] = await Promise.all([startLambkin(), startLambkin({ args: PROCESS_SANDBOX })]);
  for (const lk of [ns, held]) {
    await createFunction(lk.lambda, 'streamer', NODE, STREAMING_NODE, { Timeout: 60 });
    await createFunction(lk.lambda, 'short-streamer', NODE, STREAMING_NODE, { Timeout: 2 });
    await createFunction(lk.lambda, 'curl-streamer', PROVIDED, STREAMING_SHELL, { Runtime: 'provided.al2023', Handler: 'x', Timeout: 60 });
  }
}, 90_000);

afterAll(async () => {
  await Promise.all([ns?.stop(), held?.stop()]);
  rmSync(holdDir, { recursive: true, force: true });
});

/** Invoke with response streaming; `onEvent` sees each event as it arrives. */
async function streamInvoke(lambda: LambdaClient, name: string, event: unknown, onEvent: (e: StreamEvent) => void = () => {}): Promise<StreamEvent[]> {
  const out = await lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)), LogType: 'Tail' }));
  expect(out.StatusCode).toBe(200);
  const events: StreamEvent[] = [];
  for await (const e of out.EventStream!) {
    const seen: StreamEvent = e.PayloadChunk
      ? { chunk: Buffer.from(e.PayloadChunk.Payload ?? new Uint8Array()).toString('utf8') }
      : { complete: { ErrorCode: e.InvokeComplete?.ErrorCode, ErrorDetails: e.InvokeComplete?.ErrorDetails, LogResult: e.InvokeComplete?.LogResult } };
    events.push(seen);
    onEvent(seen);
  }
  return events;
}

const chunks = (events: StreamEvent[]) => events.flatMap((e) => ('chunk' in e ? [e.chunk] : []));
const completion = (events: StreamEvent[]) => events.flatMap((e) => ('complete' in e ? [e.complete] : []));

describe('InvokeWithResponseStream', () => {
  it('reads the first chunk while the function still runs, then the rest and InvokeComplete', async () => {
    const release = join(holdDir, 'release-sdk');
    const order: string[] = [];
    const events = await streamInvoke(held.lambda, 'streamer', { op: 'hold', release, parts: ['one', 'two', 'three'] }, (e) => {
      if ('chunk' in e && order.length === 0) {
        order.push(`first chunk: ${e.chunk}`);
        // The function waits for this file: it has not finished while we hold its first chunk.
        writeFileSync(release, '');
        order.push('released');
      } else order.push('chunk' in e ? 'chunk' : 'complete');
    });
    expect(order[0]).toBe('first chunk: one\n');
    expect(order[1]).toBe('released');
    expect(order.at(-1)).toBe('complete');
    expect(chunks(events).join('')).toBe('one\ntwo\nthree\n');
    expect(chunks(events).length).toBeGreaterThanOrEqual(3);
    const [done] = completion(events);
    expect(done?.ErrorCode).toBeUndefined();
    expect(Buffer.from(done!.LogResult!, 'base64').toString()).toContain('REPORT RequestId');
  });

  it('a caller that goes away mid-stream costs nothing: the function runs to its end, the next call is served', async () => {
    const release = join(holdDir, 'release-abort');
    const abort = new AbortController();
    const out = await held.lambda.send(new InvokeWithResponseStreamCommand({
      FunctionName: 'streamer', Payload: Buffer.from(JSON.stringify({ op: 'hold', release, parts: ['one', 'two'] })),
    }), { abortSignal: abort.signal });
    const iterator = out.EventStream![Symbol.asyncIterator]();
    expect((await iterator.next()).value?.PayloadChunk).toBeDefined();
    abort.abort();
    await iterator.return?.();
    writeFileSync(release, '');
    // The invocation the caller left ran on and ended well.
    const left = await waitFor('the abandoned invocation to be recorded', async () => (await invocationLog(held, out.$metadata.requestId!)).invocation ?? undefined);
    expect(left.outcome).toBe('success');
    const events = await streamInvoke(held.lambda, 'streamer', { op: 'parts', parts: ['after'] });
    expect(chunks(events).join('')).toBe('after\n');
    expect(completion(events)[0]!.ErrorCode).toBeUndefined();
  });

  it('streams in the default sandbox too, chunk contents intact', async () => {
    const events = await streamInvoke(ns.lambda, 'streamer', { op: 'parts', parts: ['α', 'β', 'γ', 'δ'] });
    expect(chunks(events).join('')).toBe('α\nβ\nγ\nδ\n');
    expect(completion(events)).toHaveLength(1);
    expect(completion(events)[0]!.ErrorCode).toBeUndefined();
  });

  it('a function that throws mid-stream: the chunks before, then InvokeComplete with ErrorCode and ErrorDetails', async () => {
    const events = await streamInvoke(ns.lambda, 'streamer', { op: 'throw', parts: ['before'] });
    expect(chunks(events).join('')).toBe('before\n');
    const [done] = completion(events);
    expect(done?.ErrorCode).toBe('StreamBoom');
    expect(JSON.parse(done!.ErrorDetails!)).toMatchObject({ errorType: 'StreamBoom', errorMessage: 'broke after the first chunk' });
  });

  it('a response over 20 MB ends with Function.ResponseSizeTooLarge after at most 20 MB', async () => {
    let received = 0;
    const events = await streamInvoke(ns.lambda, 'streamer', { op: 'big', mb: 21 }, (e) => {
      if ('chunk' in e) received += Buffer.byteLength(e.chunk);
    });
    expect(received).toBeLessThanOrEqual(20 * 1024 * 1024);
    expect(received).toBeGreaterThan(10 * 1024 * 1024);
    const [done] = completion(events);
    expect(done?.ErrorCode).toBe('Function.ResponseSizeTooLarge');
    expect(done?.ErrorDetails).toContain('20971520');
    // The platform is fine: the function answers the next call.
    const again = await streamInvoke(ns.lambda, 'streamer', { op: 'parts', parts: ['ok'] });
    expect(chunks(again).join('')).toBe('ok\n');
  }, 60_000);

  it('a caller that reads nothing holds the function back (the runtime\'s socket is paused), and gets everything once it reads', async () => {
    const progress = join(holdDir, 'progress');
    writeFileSync(progress, '0');
    const written = () => Number(readFileSync(progress, 'utf8') || 0);
    const target = new URL('/2021-11-15/functions/streamer/response-streaming-invocations', held.url);
    let received = 0;
    let tail = '';
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(target, { method: 'POST' }, resolve);
      req.on('error', reject);
      req.end(JSON.stringify({ op: 'progress', mb: 19, progress }));
    });
    res.pause();
    expect(res.statusCode).toBe(200);
    // Not reading: the function gets some way, then no further.
    await waitFor('the function to write its first MB', () => written() >= 1);
    let last = -1;
    const stalled = await waitFor('the function to stop getting further', async () => {
      const now = written();
      if (now === last) return now;
      last = now;
      await new Promise((r) => setTimeout(r, 1_000));
      return undefined;
    }, 60_000);
    expect(stalled).toBeLessThan(19);
    // Reading: all 19 MB arrive and the stream ends well.
    res.on('data', (c: Buffer) => {
      received += c.length;
      tail = (tail + c.toString('latin1')).slice(-300);
    });
    const ended = new Promise((r) => res.once('end', r));
    res.resume(); // paused explicitly above: a 'data' listener alone does not start the flow again
    await ended;
    expect(written()).toBe(19);
    expect(received).toBeGreaterThan(19 * 1024 * 1024);
    expect(tail).toContain('InvokeComplete');
    expect(tail).not.toContain('ErrorCode');
  }, 120_000);

  it('the Timeout still applies while streaming: the chunks before it, then Sandbox.Timedout', async () => {
    const events = await streamInvoke(ns.lambda, 'short-streamer', { op: 'sleep', parts: ['early'], ms: 30_000 });
    expect(chunks(events).join('')).toBe('early\n');
    expect(completion(events)[0]!.ErrorCode).toBe('Sandbox.Timedout');
  }, 60_000);

  it('a runtime that dies mid-stream ends the stream with an error; the next call is served', async () => {
    const events = await streamInvoke(ns.lambda, 'streamer', { op: 'exit', parts: ['last words'] });
    expect(chunks(events).join('')).toBe('last words\n');
    expect(['Runtime.ExitError', 'Runtime.TruncatedResponse']).toContain(completion(events)[0]!.ErrorCode);
    expect(chunks(await streamInvoke(ns.lambda, 'streamer', { op: 'parts', parts: ['again'] })).join('')).toBe('again\n');
  });

  it('a buffered Invoke of a streaming function gets the whole body', async () => {
    const out = await ns.lambda.send(new InvokeCommand({ FunctionName: 'streamer', Payload: Buffer.from(JSON.stringify({ op: 'parts', parts: ['a', 'b', 'c'] })) }));
    expect(out.FunctionError).toBeUndefined();
    expect(Buffer.from(out.Payload!).toString()).toBe('a\nb\nc\n');
    const failed = await ns.lambda.send(new InvokeCommand({ FunctionName: 'streamer', Payload: Buffer.from(JSON.stringify({ op: 'throw', parts: ['x'] })) }));
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(failed.Payload!).toString())).toMatchObject({ errorType: 'StreamBoom' });
  });

  it('a function that does not stream arrives as one PayloadChunk', async () => {
    await createFunction(ns.lambda, 'plain', NODE, { 'lambda_function.js': 'exports.lambda_handler = async (e) => ({ got: e.x });' });
    const events = await streamInvoke(ns.lambda, 'plain', { x: 7 });
    expect(chunks(events)).toEqual(['{"got":7}']);
    expect(completion(events)[0]!.ErrorCode).toBeUndefined();
  });
});

/** The streamer's function URL (RESPONSE_STREAM) on that server, made the first time. */
async function target(lk: Lambkin): Promise<string> {
  const got = await lk.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'streamer' })).catch(() => undefined);
  if (got) return got.FunctionUrl!;
  const made = await lk.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'streamer', AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' }));
  expect(made.InvokeMode).toBe('RESPONSE_STREAM');
  return made.FunctionUrl!;
}

describe('a function URL in RESPONSE_STREAM mode', () => {
  it('curl --no-buffer reads the status, headers, cookies and first chunk while the function still runs', async () => {
    const url = await target(held);
    const release = join(holdDir, 'release-url');
    const curl = spawn('curl', ['-s', '-i', '--no-buffer', '-X', 'POST', '-d', JSON.stringify({ op: 'http', parts: ['one', 'two', 'three'], release }), url]);
    let out = '';
    const exited = new Promise<number | null>((resolve) => curl.once('exit', resolve));
    const firstChunk = new Promise<string>((resolve) => {
      curl.once('exit', () => resolve(out)); // failed: the assertions below say what came
      curl.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('one\n')) resolve(out);
      });
    });
    const seen = await firstChunk;
    // The function waits for this file: what curl printed so far came while it was running.
    expect(seen).not.toContain('two');
    writeFileSync(release, '');
    expect(await exited).toBe(0);
    const [head, body] = out.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 201/);
    expect(head).toMatch(/\r\nx-streamed: yes/i);
    expect(head).toMatch(/\r\nset-cookie: a=1/i);
    expect(head).toMatch(/\r\ntransfer-encoding: chunked/i);
    expect(body).toBe('one\ntwo\nthree\n');
    const config = await held.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'streamer' }));
    expect(config.InvokeMode).toBe('RESPONSE_STREAM');
  });

  it('a plain stream is a 200 with its content type; a function failing before its first byte is a 502', async () => {
    const url = await target(ns);
    const plain = await fetch(url, { method: 'POST', body: JSON.stringify({ op: 'parts', parts: ['x', 'y'] }) });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/octet-stream');
    expect(await plain.text()).toBe('x\ny\n');
    const failed = await fetch(url, { method: 'POST', body: JSON.stringify({ op: 'early-throw' }) });
    expect(failed.status).toBe(502);
    expect(await failed.json()).toEqual({ Message: 'Internal Server Error' });
  });
});

describe('a function URL in RESPONSE_STREAM mode: the prelude', () => {
  const post = async (pieces: string[]) => {
    return fetch(await target(ns), { method: 'POST', body: JSON.stringify({ op: 'raw-prelude', pieces }) });
  };
  const NUL4 = '\u0000'.repeat(4);

  it('split across writes; the function cannot set how the body is framed', async () => {
    const res = await post(['{"statusCode":2', `03,"headers":{"content-length":"999","x-a":"b"}}${NUL4}`, `${NUL4}body`, ' and more']);
    expect(res.status).toBe(203);
    expect(res.headers.get('x-a')).toBe('b');
    expect(res.headers.get('content-length')).toBeNull();
    expect(await res.text()).toBe('body and more');
  });

  it('a prelude that is not JSON is a 502', async () => {
    const res = await post([`not json${NUL4}${NUL4}rest`]);
    expect(res.status).toBe(502);
  });
});

describe('a custom runtime streaming with curl', () => {
  it('its first chunk arrives before it ends', async () => {
    const release = join(holdDir, 'release-curl');
    const order: string[] = [];
    const events = await streamInvoke(held.lambda, 'curl-streamer', { release }, (e) => {
      if ('chunk' in e && order.length === 0) {
        order.push(`first: ${e.chunk}`);
        writeFileSync(release, '');
      } else order.push('chunk' in e ? 'chunk' : 'complete');
    });
    expect(order[0]).toBe('first: start\n');
    expect(chunks(events).join('')).toBe('start\nend\n');
    expect(completion(events)[0]!.ErrorCode).toBeUndefined();
  });

  it('streams through the default sandbox', async () => {
    const events = await streamInvoke(ns.lambda, 'curl-streamer', {});
    expect(chunks(events).join('')).toBe('start\nend\n');
  });
});
