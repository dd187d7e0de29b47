// Event invocations through the real AWS SDK, on a server whose retry delays are 50 ms and 100 ms
// (--async-retry-delays) and whose "second" of MaximumEventAgeInSeconds lasts 50 ms
// (LAMBKIN_ASYNC_SECOND_MS): 202 and run; retries then the dead-letter list (`lambkin dlq`,
// `lambkin dlq redrive`); event invoke configs and destination functions with Lambda's record;
// throttled events that wait; events that grow too old; the 256 KB limit; `lambkin invoke --async`.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteFunctionConcurrencyCommand, DeleteFunctionEventInvokeConfigCommand, GetFunctionEventInvokeConfigCommand,
  InvokeCommand, ListFunctionEventInvokeConfigsCommand, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, PROCESS_SANDBOX, createFunction, waitFor } from '../helpers/functions.js';

let lk: Lambkin;
let out: string;

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

// Appends each event it gets to <OUT_DIR>/<function name>.log (the process sandbox lets it write
// there), then fails if asked to.
const RECORDER = {
  'lambda_function.js': `
const fs = require('node:fs');
exports.lambda_handler = async (event, context) => {
  fs.appendFileSync(process.env.OUT_DIR + '/' + context.functionName + '.log',
    JSON.stringify({ event, requestId: context.awsRequestId, version: context.functionVersion }) + '\\n');
  if (event.fail) throw new Error('failing on purpose: ' + event.tag);
  return { done: event.tag };
};
`,
};

interface Line {
  event: Record<string, unknown>;
  requestId: string;
  version: string;
}

function lines(name: string): Line[] {
  const file = join(out, `${name}.log`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
}

async function recorder(name: string): Promise<void> {
  await createFunction(lk.lambda, name, NODE, RECORDER, { Environment: { Variables: { OUT_DIR: out } } });
}

async function queue(name: string, event: unknown, qualifier?: string): Promise<string> {
  const res = await lk.lambda.send(new InvokeCommand({
    FunctionName: name, Qualifier: qualifier, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)),
  }));
  expect(res.StatusCode).toBe(202);
  return res.$metadata.requestId!;
}

function lambkin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, '--endpoint', lk.url, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

async function depth(name: string): Promise<{ queued: number; running: number; deadLetters: number }> {
  const res = await fetch(`${lk.url}/lambkin/v1/async-queue?function=${name}`);
  const body = (await res.json()) as { functions: { queued: number; running: number; deadLetters: number }[] };
  return body.functions[0] ?? { queued: 0, running: 0, deadLetters: 0 };
}

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'lambkin-async-'));
  lk = await startLambkin({ args: [...PROCESS_SANDBOX, '--async-retry-delays', '50,100'], env: { LAMBKIN_ASYNC_SECOND_MS: '50' } });
  await recorder('async-dest');
});
afterAll(async () => {
  await lk?.stop();
  rmSync(out, { recursive: true, force: true });
});

describe('Event invocations', () => {
  it('answers 202 at once and runs the event once, with the request id of the 202', async () => {
    const name = 'async-basic';
    await recorder(name);
    const requestId = await queue(name, { tag: 'hello' });
    const [line] = await waitFor('the event to run', () => lines(name).length > 0 && lines(name));
    expect(line!.event).toEqual({ tag: 'hello' });
    expect(line!.requestId).toBe(requestId);
    await waitFor('the queue to be empty', async () => (await depth(name)).queued + (await depth(name)).running === 0);
    expect(lines(name)).toHaveLength(1);
  });

  it('retries a failing event twice, then keeps it as a dead letter that `lambkin dlq redrive` runs again', async () => {
    const name = 'async-retry';
    await recorder(name);
    const requestId = await queue(name, { tag: 'bad', fail: true });
    await waitFor('a dead letter', async () => (await depth(name)).deadLetters === 1);
    const runs = lines(name);
    expect(runs).toHaveLength(3); // the first try and Lambda's 2 retries
    expect(runs.every((r) => r.requestId === requestId)).toBe(true);

    const listed = await lambkin('dlq', name);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(requestId);
    expect(listed.stdout).toContain('RetriesExhausted');
    expect(listed.stdout).toContain('failing on purpose: bad');
    const json = JSON.parse((await lambkin('dlq', name, '--json')).stdout) as { payload: string; attempts: number }[];
    expect(JSON.parse(json[0]!.payload)).toEqual({ tag: 'bad', fail: true });
    expect(json[0]!.attempts).toBe(3);

    const redriven = await lambkin('dlq', 'redrive', name);
    expect(redriven.stdout).toContain('re-queued 1 event');
    await waitFor('the redriven event to run and fail again', () => lines(name).length === 6);
    await waitFor('it to be a dead letter again', async () => (await depth(name)).deadLetters === 1);
  });

  it('keeps an event invoke config (Put, Get, Update, List, Delete) and delivers records to destination functions', async () => {
    const name = 'async-dest-src';
    await recorder(name);
    const dest = `${ARN}:async-dest`;
    const put = await lk.lambda.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: name, MaximumRetryAttempts: 0,
      DestinationConfig: { OnSuccess: { Destination: dest }, OnFailure: { Destination: dest } },
    }));
    expect(put.FunctionArn).toBe(`${ARN}:${name}:$LATEST`);
    expect(put.MaximumRetryAttempts).toBe(0);
    expect(put.LastModified).toBeInstanceOf(Date);
    const updated = await lk.lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumEventAgeInSeconds: 3600 }));
    expect(updated.MaximumRetryAttempts).toBe(0);
    expect(updated.MaximumEventAgeInSeconds).toBe(3600);
    expect(updated.DestinationConfig?.OnFailure?.Destination).toBe(dest);
    const got = await lk.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name }));
    expect(got.DestinationConfig?.OnSuccess?.Destination).toBe(dest);
    const listed = await lk.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: name }));
    expect(listed.FunctionEventInvokeConfigs).toHaveLength(1);
    const bad = await lk.lambda.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: name, DestinationConfig: { OnFailure: { Destination: 'arn:aws:sns:us-east-1:000000000000:topic' } },
    })).catch((e: Error) => e);
    expect((bad as Error).name).toBe('InvalidParameterValueException');

    const okId = await queue(name, { tag: 'fine' });
    const failId = await queue(name, { tag: 'broken', fail: true });
    const records = await waitFor('two destination records', () => {
      const got = lines('async-dest').map((l) => l.event as unknown as DestinationRecord).filter((r) => r.requestContext?.functionArn?.includes(name));
      return got.length >= 2 && got;
    });
    const success = records.find((r) => r.requestContext.requestId === okId)!;
    expect(success.version).toBe('1.0');
    expect(success.requestContext).toEqual({ requestId: okId, functionArn: `${ARN}:${name}:$LATEST`, condition: 'Success', approximateInvokeCount: 1 });
    expect(success.requestPayload).toEqual({ tag: 'fine' });
    expect(success.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST' });
    expect(success.responsePayload).toEqual({ done: 'fine' });
    expect(Number.isNaN(Date.parse(success.timestamp))).toBe(false);

    const failure = records.find((r) => r.requestContext.requestId === failId)!;
    expect(failure.requestContext.condition).toBe('RetriesExhausted');
    expect(failure.requestContext.approximateInvokeCount).toBe(1); // MaximumRetryAttempts 0
    expect(failure.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
    expect((failure.responsePayload as { errorMessage: string }).errorMessage).toBe('failing on purpose: broken');
    expect(lines(name).filter((l) => l.requestId === failId)).toHaveLength(1);
    expect((await depth(name)).deadLetters).toBe(0); // it went to the destination instead

    await lk.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: name }));
    const gone = await lk.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name })).catch((e: Error) => e);
    expect((gone as Error).name).toBe('ResourceNotFoundException');
  });

  it('holds throttled events until concurrency frees up, and gives up events older than MaximumEventAgeInSeconds', async () => {
    const name = 'async-throttled';
    await recorder(name);
    await lk.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
    const waitingId = await queue(name, { tag: 'patient' });
    await waitFor('the event to be queued', async () => (await depth(name)).queued === 1);
    expect(lines(name)).toHaveLength(0);
    await lk.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
    const [ran] = await waitFor('the held event to run', () => lines(name).length > 0 && lines(name));
    expect(ran!.requestId).toBe(waitingId);

    // 60 "seconds" are 3 s on this server; throttled all along, the event is given up.
    await lk.lambda.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: name, MaximumEventAgeInSeconds: 60, DestinationConfig: { OnFailure: { Destination: `${ARN}:async-dest` } },
    }));
    await lk.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
    const oldId = await queue(name, { tag: 'too-old' });
    const record = await waitFor('the EventAgeExceeded record', () =>
      lines('async-dest').map((l) => l.event as unknown as DestinationRecord).find((r) => r.requestContext?.requestId === oldId));
    expect(record.requestContext.condition).toBe('EventAgeExceeded');
    expect(record.requestContext.approximateInvokeCount).toBe(0);
    expect(record.requestPayload).toEqual({ tag: 'too-old' });
    expect(lines(name).filter((l) => l.requestId === oldId)).toHaveLength(0);
    await lk.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
  });

  it('refuses an Event payload over 256 KB with 413', async () => {
    const err = await lk.lambda.send(new InvokeCommand({
      FunctionName: 'async-basic', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ x: 'y'.repeat(262_144) })),
    })).catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    expect((err as Error).name).toBe('RequestTooLargeException');
    expect((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(413);
  });

  it('`lambkin invoke --async` queues the event and prints its request id; `lambkin stats` shows the queue', async () => {
    const name = 'async-cli';
    await recorder(name);
    const res = await lambkin('invoke', name, '--async', '--payload', '{"tag":"cli"}');
    expect(res.code).toBe(0);
    const requestId = /request id (\S+)/.exec(res.stdout)?.[1];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [line] = await waitFor('the event to run', () => lines(name).length > 0 && lines(name));
    expect(line!.requestId).toBe(requestId);

    const stats = await lambkin('stats', name, '--json');
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout).asyncQueue).toEqual({ queued: 0, running: 0, deadLetters: 0 });
    expect((await lambkin('stats', name)).stdout).toMatch(/async queue\s+0 queued\s+0 running\s+0 dead letters/);
  });
});

interface DestinationRecord {
  version: string;
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: string; approximateInvokeCount: number };
  requestPayload: unknown;
  responseContext?: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: unknown;
}
