// Execution environments as a user sees them, for each runtime: one per concurrent request, kept
// warm and reused; replaced after a timeout or a crash (and the next invoke works); retired when
// the function's code or configuration changes, while invocations in flight finish on the old code.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { zip } from '../helpers/zip.js';
import {
  NODE, PROCESS_SANDBOX, RUNTIME_CASES, createFunction, environmentGone, invoke, probe, waitFor, waitForHeld,
  type FunctionErrorBody,
} from '../helpers/functions.js';

let lk: Lambkin; // the default sandbox
let shared: Lambkin; // the process sandbox, for the test that holds an invocation open
const holdDirs: string[] = [];

beforeAll(async () => {
  [lk, shared] = await Promise.all([startLambkin(), startLambkin({ args: PROCESS_SANDBOX })]);
});
// A failed test must not leave handlers waiting (they would hold concurrency for the next tests).
afterEach(() => {
  for (const d of holdDirs) writeFileSync(join(d, 'release'), '');
});
afterAll(async () => {
  await Promise.all([lk?.stop(), shared?.stop()]);
  for (const d of holdDirs) rmSync(d, { recursive: true, force: true });
});

function holdDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-hold-'));
  holdDirs.push(dir);
  return dir;
}

describe.each(RUNTIME_CASES)('$label', (rt) => {
  it('runs 8 concurrent invokes in 8 environments, then reuses them', async () => {
    const name = `fanout-${rt.label}`;
    await createFunction(lk.lambda, name, rt);
    const first = await Promise.all(Array.from({ length: 8 }, () => invoke(lk.lambda, name, { op: 'sleep', ms: 300 })));
    const streams = new Set(first.map((r) => r.body.context.logStreamName));
    expect(streams.size).toBe(8);
    expect(first.every((r) => r.body.count === 1)).toBe(true);

    // Later invokes, one at a time and 8 at once, land in those warm environments: no new stream.
    for (let i = 0; i < 4; i++) expect(streams).toContain((await invoke(lk.lambda, name)).body.context.logStreamName);
    const again = await Promise.all(Array.from({ length: 8 }, () => invoke(lk.lambda, name, { op: 'sleep', ms: 300 })));
    for (const r of again) {
      expect(streams).toContain(r.body.context.logStreamName);
      expect(r.body.count).toBeGreaterThan(1);
    }
  });

  it('times out a slow invocation with Sandbox.Timedout, then the next invoke succeeds in a fresh environment', async () => {
    const name = `slow-${rt.label}`;
    await createFunction(lk.lambda, name, rt, probe(rt), { Timeout: 1 });
    const warm = await invoke(lk.lambda, name);
    const res = await invoke<FunctionErrorBody>(lk.lambda, name, { op: 'sleep', ms: 5000 });
    expect(res.functionError).toBe('Unhandled');
    expect(res.body.errorType).toBe('Sandbox.Timedout');
    expect(res.body.errorMessage).toMatch(/Task timed out after 1\.00 seconds/);
    expect(res.body.errorMessage).toContain(res.requestId);

    const next = await invoke(lk.lambda, name);
    expect(next.functionError).toBeUndefined();
    expect(next.body.count).toBe(1);
    const stream = warm.body.context.logStreamName as string;
    expect(next.body.context.logStreamName).not.toBe(stream);
    await waitFor('the timed-out environment to be gone', () => environmentGone(lk.dataDir, stream));
  });

  it('gives each environment a private scratch folder (TMPDIR, tempfile), removed when it ends', async () => {
    const name = `scratch-${rt.label}`;
    await createFunction(lk.lambda, name, rt);
    type Tmp = { file: string; existed: boolean };
    const stream = (await invoke(lk.lambda, name)).body.context.logStreamName as string;
    expect((await invoke<Tmp>(lk.lambda, name, { op: 'tmp' })).body.existed).toBe(false);
    expect((await invoke<Tmp>(lk.lambda, name, { op: 'tmp' })).body.existed).toBe(true); // same environment

    await invoke(lk.lambda, name, { op: 'exit', code: 1 });
    await waitFor('the ended environment and its folder to be gone', () => environmentGone(lk.dataDir, stream));
    // Both at once: two fresh environments, neither sees what the ended one wrote.
    const fresh = await Promise.all([invoke<Tmp>(lk.lambda, name, { op: 'tmp' }), invoke<Tmp>(lk.lambda, name, { op: 'tmp' })]);
    expect(fresh.map((r) => r.body.existed)).toEqual([false, false]);
  });

  const crashes = [
    { op: 'exit', event: { op: 'exit', code: 1 }, message: /Runtime exited with error: exit status 1/ },
    { op: 'kill -9', event: { op: 'kill' }, message: /Runtime exited with error: signal: killed/ },
  ];
  it.each(crashes)('answers a runtime that dies ($op) with Runtime.ExitError, then recovers', async ({ event, message }) => {
    const name = `crash-${rt.label}-${event.op}`;
    await createFunction(lk.lambda, name, rt);
    const warm = await invoke(lk.lambda, name);
    const res = await invoke<FunctionErrorBody>(lk.lambda, name, event);
    expect(res.functionError).toBe('Unhandled');
    expect(res.body.errorType).toBe('Runtime.ExitError');
    expect(res.body.errorMessage).toMatch(message);
    expect(res.body.errorMessage).toContain(res.requestId);

    const next = await invoke(lk.lambda, name);
    expect(next.functionError).toBeUndefined();
    expect(next.body.count).toBe(1);
    expect(next.body.context.logStreamName).not.toBe(warm.body.context.logStreamName);
  });

  it('retires warm environments on UpdateFunctionCode; an invocation in flight finishes on the old code', async () => {
    const name = `update-${rt.label}`;
    const { lambda, dataDir } = shared;
    await createFunction(lambda, name, rt, probe(rt, 'v1'), { Timeout: 30 });
    const warm = await invoke(lambda, name);
    const warmStream = warm.body.context.logStreamName as string;
    const dir = holdDir();
    const held = invoke(lambda, name, { op: 'hold', dir });
    await waitForHeld(dir, 1);

    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip(probe(rt, 'v2')) }));
    const fresh = await invoke(lambda, name);
    expect(fresh.body).toMatchObject({ version: 'v2', count: 1 });
    expect(fresh.body.context.logStreamName).not.toBe(warmStream);

    writeFileSync(join(dir, 'release'), '');
    const finished = await held;
    expect(finished.functionError).toBeUndefined();
    expect(finished.body).toMatchObject({ version: 'v1', count: 2 });
    expect(finished.body.context.logStreamName).toBe(warmStream);
    // The retired environment goes away once its invocation is done; new ones keep the new code.
    await waitFor('the retired environment to be gone', () => environmentGone(dataDir, warmStream));
    const later = await invoke(lambda, name);
    expect(later.body).toMatchObject({ version: 'v2', count: 2 });
    expect(later.body.context.logStreamName).toBe(fresh.body.context.logStreamName);
  });

  it('retires warm environments on UpdateFunctionConfiguration', async () => {
    const name = `reconfig-${rt.label}`;
    await createFunction(lk.lambda, name, rt, probe(rt), { Environment: { Variables: { COLOUR: 'red' } } });
    const before = await invoke<{ env: Record<string, string> }>(lk.lambda, name, { op: 'env' });
    expect(before.body.env.COLOUR).toBe('red');
    await lk.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { COLOUR: 'blue' } } }));
    const after = await invoke<{ env: Record<string, string> }>(lk.lambda, name, { op: 'env' });
    expect(after.body.env.COLOUR).toBe('blue');
    expect(after.body.env.AWS_LAMBDA_LOG_STREAM_NAME).not.toBe(before.body.env.AWS_LAMBDA_LOG_STREAM_NAME);
  });
});

describe('node', () => {
  it('runs the next invoke in a fresh environment after an uncaught exception ended the runtime', async () => {
    // Node's runtime reports an uncaught exception, then exits: the invoke right after it must
    // not be handed to the dying process.
    const name = 'uncaught-node';
    await createFunction(lk.lambda, name, NODE);
    for (let round = 0; round < 5; round++) {
      const failed = await invoke<FunctionErrorBody>(lk.lambda, name, { op: 'late-throw', message: `late ${round}` });
      expect(failed.functionError).toBe('Unhandled');
      expect(failed.body).toMatchObject({ errorType: 'CustomError', errorMessage: `late ${round}` });
      const next = await invoke(lk.lambda, name);
      expect(next.functionError).toBeUndefined();
      expect(next.body.count).toBe(1);
    }
  });
});
