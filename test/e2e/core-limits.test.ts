// Limits, on a server started with `--max-concurrency 2 --idle-timeout 1` (and the process sandbox,
// so that tests can hold invocations open: see PROCESS_SANDBOX): the server-wide and the
// per-function (reserved) concurrency limits throttle with 429 and the right Reason; idle
// environments are stopped after the idle timeout; payloads over 6 MB are refused both ways.
// In the spread run (a 3-node cluster) --max-concurrency is each node's capacity, so the cluster
// takes 2 per node; reserved concurrency is one ceiling for the whole cluster (docs/cluster.md).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteFunctionConcurrencyCommand, GetFunctionConcurrencyCommand, InvokeCommand, PutFunctionConcurrencyCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { SPREAD_NODES } from '../helpers/spread.js';
import {
  NODE, PROCESS_SANDBOX, PYTHON, RUNTIME_CASES, createFunction, environmentGone, invoke, waitFor, waitForHeld,
  type FunctionErrorBody,
} from '../helpers/functions.js';
import { failure } from '../helpers/failure.js';

let lk: Lambkin;
/** Invocations the server (or the whole spread cluster) runs at once: --max-concurrency 2 per node. */
const CAPACITY = 2 * Math.max(1, SPREAD_NODES);
const holdDirs: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  lk = await startLambkin({ args: [...PROCESS_SANDBOX, '--max-concurrency', '2', '--idle-timeout', '1'] });
  await createFunction(lk.lambda, 'limits-node', NODE, undefined, { Timeout: 30 });
  await createFunction(lk.lambda, 'limits-python', PYTHON, undefined, { Timeout: 30 });
});
// A failed test must not leave handlers waiting (they would hold concurrency for the next tests).
afterEach(async () => {
  for (const d of holdDirs) writeFileSync(join(d, 'release'), '');
  for (const undo of cleanups.splice(0)) await undo();
});
afterAll(async () => {
  await lk?.stop();
  for (const d of holdDirs) rmSync(d, { recursive: true, force: true });
});

/** The environment of this log stream has stopped: its folder and processes gone (on a cluster: no node lists it). */
async function gone(stream: string): Promise<boolean> {
  if (!lk.nodes) return environmentGone(lk.dataDir, stream);
  const listed = (await (await fetch(`${lk.url}/lambkin/v1/environments`)).json()) as { environments: { logStream: string }[]; unanswered: string[] };
  return listed.unanswered.length === 0 && !listed.environments.some((e) => e.logStream === stream)
    && lk.nodes.every((n) => environmentGone(n.dataDir, stream));
}

function holdDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-hold-'));
  holdDirs.push(dir);
  return dir;
}

/** The error an invoke is rejected with (the clients never retry: maxAttempts 1). */
async function rejection(lambda: LambdaClient, name: string): Promise<Error & { Reason?: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') }));
  } catch (err) {
    return err as Error;
  }
  throw new Error(`invoke of ${name} was not rejected`);
}

describe('concurrency', () => {
  it('throttles a third concurrent invoke over --max-concurrency 2 (per node of a cluster), and serves again afterwards', async () => {
    const dir = holdDir();
    const held = Array.from({ length: CAPACITY }, (_, i) => invoke(lk.lambda, i % 2 ? 'limits-python' : 'limits-node', { op: 'hold', dir }));
    await waitForHeld(dir, CAPACITY);
    for (const name of ['limits-node', 'limits-python']) {
      const err = await rejection(lk.lambda, name);
      expect(err.name).toBe('TooManyRequestsException');
      expect(err.Reason).toBe('ConcurrentInvocationLimitExceeded');
      expect(err.$metadata?.httpStatusCode).toBe(429);
    }
    writeFileSync(join(dir, 'release'), '');
    for (const r of await Promise.all(held)) expect(r.functionError).toBeUndefined();
    expect((await invoke(lk.lambda, 'limits-node')).functionError).toBeUndefined();
  });

  it('throttles every invoke of a function with reserved concurrency 0, warm environments or not', async () => {
    const name = 'limits-node';
    expect((await invoke(lk.lambda, name)).functionError).toBeUndefined(); // a warm environment exists
    const put = await lk.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
    cleanups.push(() => lk.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name })));
    expect(put.ReservedConcurrentExecutions).toBe(0);
    expect((await lk.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions).toBe(0);
    for (let i = 0; i < 2; i++) {
      const err = await rejection(lk.lambda, name);
      expect(err.name).toBe('TooManyRequestsException');
      expect(err.Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    }
    expect((await invoke(lk.lambda, 'limits-python')).functionError).toBeUndefined(); // others unaffected

    await lk.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
    expect((await lk.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions).toBeUndefined();
    expect((await invoke(lk.lambda, name)).functionError).toBeUndefined();
  });

  it('throttles a second concurrent invoke of a function with reserved concurrency 1', async () => {
    const name = 'limits-python';
    await lk.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 1 }));
    cleanups.push(() => lk.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name })));
    const dir = holdDir();
    const held = invoke(lk.lambda, name, { op: 'hold', dir });
    await waitForHeld(dir, 1);
    const err = await rejection(lk.lambda, name);
    expect(err.name).toBe('TooManyRequestsException');
    expect(err.Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    writeFileSync(join(dir, 'release'), '');
    expect((await held).functionError).toBeUndefined();
  });
});

describe.each(RUNTIME_CASES)('$label', (rt) => {
  const name = `limits-${rt.label}`;

  it('stops an environment idle longer than --idle-timeout; the next invoke is a cold start', async () => {
    const first = await invoke(lk.lambda, name);
    const stream = first.body.context.logStreamName as string;
    await waitFor('the idle environment to be stopped', () => gone(stream));
    const next = await invoke(lk.lambda, name);
    expect(next.body.count).toBe(1);
    expect(next.body.context.logStreamName).not.toBe(stream);
  });

  it('answers a response over 6 MB with Function.ResponseSizeTooLarge, then serves again', async () => {
    const res = await invoke<FunctionErrorBody>(lk.lambda, name, { op: 'big', size: 6_500_000 });
    expect(res.functionError).toBe('Unhandled');
    expect(res.body.errorType).toBe('Function.ResponseSizeTooLarge');
    expect(res.body.errorMessage).toMatch(/exceeded maximum allowed payload size \(6291556 bytes\)/);
    expect((await invoke(lk.lambda, name)).functionError).toBeUndefined();
  });
});

describe('request payload', () => {
  it('refuses an event over 6 MB with 413 RequestTooLargeException', async () => {
    const big = JSON.stringify({ data: 'x'.repeat(6_300_000) });
    const err = await failure(lk.lambda.send(new InvokeCommand({ FunctionName: 'limits-node', Payload: Buffer.from(big) })));
    expect(err?.name).toBe('RequestTooLargeException');
    expect(err?.$metadata?.httpStatusCode).toBe(413);
    expect((await invoke(lk.lambda, 'limits-node')).functionError).toBeUndefined();
  });
});
