// External extensions (Extensions API) through the real SDK, in the real sandbox: a shell and a
// Node.js extension from a layer count INVOKE events and say so at SHUTDOWN (read back from the
// function's log), Lambda's EXTENSION lines, an extension that crashes at init and one that hangs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PublishLayerVersionCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { zip, type Files } from '../helpers/zip.js';
import { NODE, createFunction, invoke, waitFor, type FunctionErrorBody } from '../helpers/functions.js';
import { COUNTING_LAYER, CRASH_LAYER, DIES_LAYER, HANDLER, HANG_LAYER, INIT_ERROR_LAYER } from './extensions-fixtures.js';

let lk: Lambkin;
const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-ext-'));

beforeAll(async () => {
  lk = await startLambkin({ dataDir });
});
afterAll(async () => {
  await lk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function withLayer(fn: string, layer: Files, extra: Record<string, unknown> = {}): Promise<void> {
  const published = await lk.lambda.send(new PublishLayerVersionCommand({ LayerName: `${fn}-layer`, Content: { ZipFile: zip(layer) } }));
  await createFunction(lk.lambda, fn, NODE, HANDLER, { Layers: [published.LayerVersionArn!], ...extra });
}

async function logText(fn: string): Promise<string> {
  const out = await lk.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}` }));
  return (out.events ?? []).map((e) => e.message ?? '').join('');
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
    const before = await logText('ext-count');
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
    await withLayer('ext-dies', DIES_LAYER);
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

  it('an extension that never calls next again times the invocation out at the function\'s timeout', async () => {
    await withLayer('ext-hang', HANG_LAYER, { Timeout: 2 });
    const out = await invoke<FunctionErrorBody>(lk.lambda, 'ext-hang', { n: 1 });
    expect(out.functionError).toBe('Unhandled');
    expect(out.body.errorMessage).toMatch(/Task timed out after 2\.00 seconds/);
    // The environment was replaced; the next call is answered (and times out the same way).
    const again = await invoke<FunctionErrorBody>(lk.lambda, 'ext-hang', { n: 2 });
    expect(again.body.errorMessage).toMatch(/Task timed out after 2\.00 seconds/);
    expect(await logText('ext-hang')).toContain('hang-ext: got an event, hanging');
  });
});
