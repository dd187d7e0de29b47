// A function whose runtime this server cannot run (deployed where python was installed, then served
// by a server whose PATH has none) gets the same clear answer through every door that runs it:
// Invoke's InvalidRuntimeException naming what to install, and a function URL — buffered or
// streamed — the same status and message instead of a failed start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateFunctionUrlConfigCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunction, PYTHON } from '../helpers/functions.js';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { failure } from '../helpers/failure.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-runtime-missing-'));
let bare: Lambkin;

beforeAll(async () => {
  const full = await startLambkin({ dataDir, keepDataDir: true });
  try {
    await createFunction(full.lambda, 'py-buffered', PYTHON);
    await createFunction(full.lambda, 'py-streamed', PYTHON);
    await full.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'py-buffered', AuthType: 'NONE' }));
    await full.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'py-streamed', AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' }));
  } finally {
    await full.stop();
  }
  bare = await startLambkin({ dataDir, keepDataDir: true, env: { PATH: '/lambkin-empty-path' } });
});
afterAll(async () => {
  await bare?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a function whose runtime is not installed here', () => {
  it('Invoke: InvalidRuntimeException (502) naming the runtime and what to install', async () => {
    const err = await failure(bare.lambda.send(new InvokeCommand({ FunctionName: 'py-buffered', Payload: Buffer.from('{}') })));
    expect(err?.name).toBe('InvalidRuntimeException');
    expect(err?.$metadata?.httpStatusCode).toBe(502);
    expect(err?.message).toContain(`The runtime ${PYTHON.runtime} of py-buffered is not installed here`);
    expect(err?.message).toContain('apt-get install -y python3');
  });

  it.each(['py-buffered', 'py-streamed'])('function URL of %s: the same status and message', async (name) => {
    const res = await fetch(`${bare.url}/url/${name}/`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { Message: string };
    expect(body.Message).toContain(`The runtime ${PYTHON.runtime} of ${name} is not installed here`);
    expect(body.Message).toContain('apt-get install -y python3');
  });
});
