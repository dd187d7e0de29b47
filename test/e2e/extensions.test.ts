// External extensions (Extensions API) through the real SDK, in the real sandbox: a shell and a
// Node.js extension from a layer count INVOKE events and say so at SHUTDOWN (read back from the
// function's log), Lambda's EXTENSION lines, an extension that crashes at init and one that hangs,
// and an extension's work after the function's answer: the caller does not wait for it, the next
// invocation does (and reuses the environment).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { PublishLayerVersionCommand, PutFunctionConcurrencyCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { zip, type Files } from '../helpers/zip.js';
import { NODE, createFunction, invoke, waitFor, type FunctionErrorBody } from '../helpers/functions.js';
import {
  COUNTING_HANDLER, COUNTING_LAYER, CRASH_LAYER, DIES_LAYER, HANDLER, HANG_LAYER, INIT_ERROR_LAYER, POST_WORK_LAYER, SLEEPING_HANDLER,
} from './extensions-fixtures.js';

let lk: Lambkin;
const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-ext-'));

beforeAll(async () => {
  lk = await startLambkin({ dataDir });
});
afterAll(async () => {
  await lk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function withLayer(fn: string, layer: Files, extra: Record<string, unknown> = {}, code: Files = HANDLER): Promise<void> {
  const published = await lk.lambda.send(new PublishLayerVersionCommand({ LayerName: `${fn}-layer`, Content: { ZipFile: zip(layer) } }));
  await createFunction(lk.lambda, fn, NODE, code, { Layers: [published.LayerVersionArn!], ...extra });
}

async function logEvents(fn: string): Promise<FilteredLogEvent[]> {
  const out = await lk.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}` }));
  return out.events ?? [];
}

async function logText(fn: string): Promise<string> {
  return (await logEvents(fn)).map((e) => e.message ?? '').join('');
}

/** The log event of `fn` whose message starts with `prefix`, once it is there. */
function eventStarting(fn: string, prefix: string): Promise<FilteredLogEvent> {
  return waitFor(prefix, async () => (await logEvents(fn)).find((e) => e.message?.startsWith(prefix)));
}

describe('external extensions', () => {
  it('a shell and a Node.js extension see every INVOKE and report at SHUTDOWN when the environment is retired', async () => {
    await withLayer('ext-count', COUNTING_LAYER);
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) {
      const out = await invoke<{ ok: boolean; n: number }>(lk.lambda, 'ext-count', { n });
      expect(out.functionError).toBeUndefined();
      expect(out.body).toEqual({ ok: true, n });
      ids.push(out.requestId!);
    }
    // The caller is answered at the function's response: an extension's line may come just after.
    const before = await waitFor('the extension\'s line of each invoke', async () => {
      const text = await logText('ext-count');
      return ids.every((id) => text.includes(`node-ext: invoke ${id} `)) && text;
    });
    expect(before).toContain('EXTENSION\tName: node-ext\tState: Ready\tEvents: [INVOKE, SHUTDOWN]');
    expect(before).toContain('EXTENSION\tName: sh-ext\tState: Ready\tEvents: [INVOKE, SHUTDOWN]');
    expect(before).toContain('node-ext: registered {"functionName":"ext-count","functionVersion":"$LATEST","handler":"lambda_function.lambda_handler","accountId":"000000000000"}');
    for (const id of ids) expect(before).toContain(`node-ext: invoke ${id} arn:aws:lambda:us-east-1:000000000000:function:ext-count X-Amzn-Trace-Id`);
    // A configuration change retires the environment: its extensions get SHUTDOWN first.
    await lk.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'ext-count', Environment: { Variables: { ROUND: '2' } } }));
    const after = await waitFor('both SHUTDOWN lines', async () => {
      const text = await logText('ext-count');
      return text.includes('sh-ext: shutdown after 3 invokes') && text.includes('node-ext: shutdown spindown after 3 invokes, deadline in true') && text;
    });
    expect(after).not.toContain('Extension.Crash');
  });

  it('when the server stops, extensions get SHUTDOWN first: their line is in the log after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambkin-ext-stop-'));
    try {
      const own = await startLambkin({ dataDir: dir });
      try {
        const published = await own.lambda.send(new PublishLayerVersionCommand({ LayerName: 'counting', Content: { ZipFile: zip(COUNTING_LAYER) } }));
        await createFunction(own.lambda, 'ext-stop', NODE, HANDLER, { Layers: [published.LayerVersionArn!] });
        for (let n = 0; n < 2; n++) expect((await invoke(own.lambda, 'ext-stop', { n })).functionError).toBeUndefined();
      } finally {
        expect(await own.stop()).toBe(0);
      }
      const again = await startLambkin({ dataDir: dir });
      try {
        const out = await again.logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/ext-stop' }));
        const text = (out.events ?? []).map((e) => e.message ?? '').join('');
        expect(text).toContain('sh-ext: shutdown after 2 invokes');
        expect(text).toContain('node-ext: shutdown spindown after 2 invokes');
        // Stopped right after its answer, its extensions perhaps still at work: nothing crashed.
        expect(text).not.toContain('Runtime.ExitError');
      } finally {
        await again.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an extension that crashes at init fails the invocation with Extension.Crash; the platform answers the next call', async () => {
    await withLayer('ext-crash', CRASH_LAYER);
    const out = await invoke<FunctionErrorBody>(lk.lambda, 'ext-crash');
    expect(out.functionError).toBe('Unhandled');
    expect(out.body.errorType).toBe('Extension.Crash');
    expect(out.body.errorMessage).toContain('crash-ext');
    await createFunction(lk.lambda, 'ext-none', NODE, HANDLER);
    expect((await invoke(lk.lambda, 'ext-none', { n: 1 })).body).toEqual({ ok: true, n: 1 });
    const again = await invoke<FunctionErrorBody>(lk.lambda, 'ext-crash');
    expect(again.body.errorType).toBe('Extension.Crash');
  });

  it('an extension that exits during an invocation fails it with Extension.Crash; the next call gets a new environment', async () => {
    // The function runs until the platform ends it: the crash, not the function's answer, decides.
    await withLayer('ext-dies', DIES_LAYER, { Timeout: 25 }, SLEEPING_HANDLER);
    const out = await invoke<FunctionErrorBody>(lk.lambda, 'ext-dies', { n: 1 });
    expect(out.functionError).toBe('Unhandled');
    expect(out.body).toMatchObject({ errorType: 'Extension.Crash', errorMessage: 'Extension dies-ext exited with status 9.' });
    const again = await invoke<FunctionErrorBody>(lk.lambda, 'ext-dies', { n: 2 });
    expect(again.body.errorType).toBe('Extension.Crash');
  });

  it('init/error from an extension fails init with the type it reported', async () => {
    await withLayer('ext-init-error', INIT_ERROR_LAYER);
    const out = await invoke<FunctionErrorBody>(lk.lambda, 'ext-init-error');
    expect(out.functionError).toBe('Unhandled');
    expect(out.body).toMatchObject({ errorType: 'Extension.ConfigInvalid' });
    expect(out.body.errorMessage).toContain('init-error-ext');
  });

  it('an extension that never calls next again: the caller has the function\'s answer, the invocation times out at the function\'s timeout', async () => {
    await withLayer('ext-hang', HANG_LAYER, { Timeout: 2 });
    const out = await invoke<{ ok: boolean; n: number }>(lk.lambda, 'ext-hang', { n: 1 });
    expect(out.functionError).toBeUndefined();
    expect(out.body).toEqual({ ok: true, n: 1 });
    const report = await eventStarting('ext-hang', `REPORT RequestId: ${out.requestId}`);
    expect(report.message).toContain('Status: timeout');
    const text = await logText('ext-hang');
    expect(text).toContain(`${out.requestId} Task timed out after 2.00 seconds`);
    expect(text).toContain('hang-ext: got an event, hanging');
    // The environment was replaced; the next call is answered in a new one.
    const again = await invoke<{ ok: boolean; n: number }>(lk.lambda, 'ext-hang', { n: 2 });
    expect(again.body).toEqual({ ok: true, n: 2 });
    const second = await eventStarting('ext-hang', `REPORT RequestId: ${again.requestId}`);
    expect(second.logStreamName).not.toBe(report.logStreamName);
  });

  it('an extension\'s work after the function\'s answer does not delay the caller; the next invocations reuse the environment after it', async () => {
    await withLayer('ext-post', POST_WORK_LAYER, { Timeout: 30 }, COUNTING_HANDLER);
    // One environment at most: a call that comes while it finishes waits for it, not throttled.
    await lk.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'ext-post', ReservedConcurrentExecutions: 1 }));
    const first = await invoke<{ calls: number }>(lk.lambda, 'ext-post');
    const answeredAt = Date.now();
    expect(first.body).toEqual({ calls: 1 });
    // The extension works 3 s after its INVOKE, then says so and calls next: the caller had its
    // answer before that line was written; the invocation (REPORT's Duration) lasted through it.
    const done = await eventStarting('ext-post', 'post-ext: done with invoke 1');
    expect(done.timestamp!).toBeGreaterThan(answeredAt);
    const report = await eventStarting('ext-post', `REPORT RequestId: ${first.requestId}`);
    expect(Number(/Duration: ([\d.]+) ms/.exec(report.message!)![1])).toBeGreaterThanOrEqual(3000);
    expect(report.message).not.toContain('Status:');
    // The same environment (its module's state) serves what comes next, each call arriving while
    // the extension may still be on its way back to next: the caller waits for it, no cold start
    // and no throttle.
    for (let calls = 2; calls <= 6; calls++) expect((await invoke<{ calls: number }>(lk.lambda, 'ext-post')).body).toEqual({ calls });
    const streams = new Set((await logEvents('ext-post')).filter((e) => e.message?.startsWith('REPORT')).map((e) => e.logStreamName));
    expect(streams.size).toBe(1);
    expect(await logText('ext-post')).not.toContain('Extension.Crash');
  });
});
