// The Telemetry API and extension time, through the real SDK in the real sandbox: a subscriber
// extension gets platform.report for every invoke with REPORT's request id and duration, and the
// function's own lines; an extension's time after INVOKE is in Duration; an internal extension
// (registered by the function's own module) sees every INVOKE.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PublishLayerVersionCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { zip, type Files } from '../helpers/zip.js';
import { NODE, createFunction, invoke, waitFor } from '../helpers/functions.js';
import { DEAD_LISTENER_LAYER, INTERNAL_EXTENSION_FUNCTION, LOGGING_HANDLER, SLOW_LAYER, TELEMETRY_LAYER } from './telemetry-fixtures.js';

let lk: Lambkin;
const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-telemetry-'));

beforeAll(async () => {
  lk = await startLambkin({ dataDir });
});
afterAll(async () => {
  await lk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function withLayer(fn: string, layer: Files, code: Files): Promise<void> {
  const published = await lk.lambda.send(new PublishLayerVersionCommand({ LayerName: `${fn}-layer`, Content: { ZipFile: zip(layer) } }));
  await createFunction(lk.lambda, fn, NODE, code, { Layers: [published.LayerVersionArn!] });
}

async function logText(fn: string): Promise<string> {
  const out = await lk.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}` }));
  return (out.events ?? []).map((e) => e.message ?? '').join('');
}

function reportDuration(text: string, id: string): number {
  const m = new RegExp(`REPORT RequestId: ${id}\\tDuration: ([\\d.]+) ms`).exec(text);
  if (!m) throw new Error(`no REPORT for ${id}`);
  return Number(m[1]);
}

describe('Telemetry API', () => {
  it('a subscriber gets platform.report for each invoke, with the request id and duration of REPORT, and the function\'s lines', async () => {
    await withLayer('tel-sub', TELEMETRY_LAYER, LOGGING_HANDLER);
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) {
      const out = await invoke<{ n: number }>(lk.lambda, 'tel-sub', { n });
      expect(out.body).toEqual({ n });
      ids.push(out.requestId!);
    }
    const text = await waitFor('a telemetry report for each invoke', async () => {
      const t = await logText('tel-sub');
      return ids.every((id) => t.includes(`telemetry-ext: report ${id} `)) && t;
    });
    expect(text).toContain('telemetry-ext: subscribed 200 OK');
    expect(text).toContain('telemetry-ext: initReport success');
    for (let n = 0; n < 3; n++) expect(text).toContain(`telemetry-ext: function handler-says ${n}`);
    for (const id of ids) {
      const m = new RegExp(`telemetry-ext: report ${id} ([\\d.]+) (\\d+) 128 success`).exec(text);
      expect(m, `report of ${id}`).not.toBeNull();
      expect(Math.abs(Number(m![1]) - reportDuration(text, id))).toBeLessThan(0.006);
    }
    await lk.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'tel-sub', Environment: { Variables: { ROUND: '2' } } }));
  });

  it('a subscription whose listener is not there does not hold invocations up', async () => {
    await withLayer('tel-dead', DEAD_LISTENER_LAYER, LOGGING_HANDLER);
    for (let n = 0; n < 5; n++) {
      const out = await invoke<{ n: number }>(lk.lambda, 'tel-dead', { n });
      expect(out.functionError).toBeUndefined();
      expect(out.body).toEqual({ n });
    }
    expect(await logText('tel-dead')).toContain('dead-listener-ext: subscribed 200 OK');
  });

  it('an extension\'s time after INVOKE counts in Duration', async () => {
    await withLayer('tel-slow', SLOW_LAYER, LOGGING_HANDLER);
    const out = await invoke<{ n: number }>(lk.lambda, 'tel-slow', { n: 7 });
    expect(out.body).toEqual({ n: 7 });
    const text = await waitFor('REPORT', async () => {
      const t = await logText('tel-slow');
      return t.includes(`REPORT RequestId: ${out.requestId}`) && t;
    });
    expect(reportDuration(text, out.requestId!)).toBeGreaterThanOrEqual(300);
    expect(text).toContain('EXTENSION\tName: slow-ext\tState: Ready\tEvents: [INVOKE]');
  });

  it('an internal extension registered by the function\'s module sees every INVOKE', async () => {
    await createFunction(lk.lambda, 'tel-internal', NODE, INTERNAL_EXTENSION_FUNCTION);
    for (let n = 0; n < 3; n++) expect((await invoke(lk.lambda, 'tel-internal')).functionError).toBeUndefined();
    const out = await invoke<{ invokes: number }>(lk.lambda, 'tel-internal');
    expect(out.body.invokes).toBeGreaterThanOrEqual(3);
    expect(await logText('tel-internal')).toContain('EXTENSION\tName: internal-ext\tState: Ready\tEvents: [INVOKE]');
  });
});
