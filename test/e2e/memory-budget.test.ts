// The server-wide memory budget (--memory-budget): every environment's MemorySize counts, idle ones
// too. Three functions of 128 MB under a 300 MB budget: the third cold start stops the least
// recently used idle environment; with every environment busy, a new one is throttled as Lambda
// throttles (429 TooManyRequestsException, Reason ConcurrentInvocationLimitExceeded).
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { deploy, waitFor } from '../security/hostile.js';
import { invokeOk } from '../helpers/functions.js';
import { failure } from '../helpers/failure.js';

let lk: Lambkin;

const HOLDS = `exports.lambda_handler = async (event) => {
  if (event.hold) await new Promise((r) => setTimeout(r, event.hold));
  return { ok: true };
};`;

beforeAll(async () => {
  lk = await startLambkin({ args: ['--memory-budget', '300'] });
  for (const name of ['first', 'second', 'third']) await deploy(lk.lambda, name, HOLDS, { memory: 128 });
});
afterAll(async () => {
  await lk?.stop();
});

interface EnvView { readonly id: string; readonly functionName: string; readonly busy: boolean }

async function environments(): Promise<EnvView[]> {
  const r = await fetch(`${lk.url}/lambkin/v1/environments`);
  return ((await r.json()) as { environments: EnvView[] }).environments;
}

const invoke = (name: string, event: unknown = {}) => invokeOk(lk.lambda, name, event);

describe('--memory-budget', () => {
  it('a cold start over the budget stops the least recently used idle environment', async () => {
    expect(await invoke('first')).toEqual({ ok: true });
    expect(await invoke('second')).toEqual({ ok: true });
    expect((await environments()).map((e) => e.functionName).sort()).toEqual(['first', 'second']);
    // 3 × 128 MB > 300 MB: `first` (idle, least recently used) makes room for `third`.
    expect(await invoke('third')).toEqual({ ok: true });
    expect((await environments()).map((e) => e.functionName).sort()).toEqual(['second', 'third']);
  });

  it('with every environment busy, a new one is throttled, Lambda-shaped', async () => {
    const held = [invoke('second', { hold: 4000 }), invoke('third', { hold: 4000 })];
    await waitFor('both environments to be busy', async () => (await environments()).filter((e) => e.busy).length === 2);
    const err = await failure(lk.lambda.send(new InvokeCommand({ FunctionName: 'first', Payload: Buffer.from('{}') })));
    expect(err).toMatchObject({
      name: 'TooManyRequestsException', Reason: 'ConcurrentInvocationLimitExceeded', $metadata: { httpStatusCode: 429 },
    });
    expect((err as Error).message).toMatch(/^Rate Exceeded\. The server's memory budget \(--memory-budget 300 MB/);
    expect(await Promise.all(held)).toEqual([{ ok: true }, { ok: true }]);
    // Once they are idle again, the least recently used one makes room.
    expect(await invoke('first')).toEqual({ ok: true });
    expect((await environments()).length).toBe(2);
  });

  it('a function larger than the whole budget is throttled with a message that says so', async () => {
    await deploy(lk.lambda, 'huge', HOLDS, { memory: 512 });
    const err = await failure(lk.lambda.send(new InvokeCommand({ FunctionName: 'huge', Payload: Buffer.from('{}') })));
    expect(err).toMatchObject({ name: 'TooManyRequestsException', Reason: 'ConcurrentInvocationLimitExceeded' });
    expect((err as Error).message).toMatch(/MemorySize \(512 MB\) is larger than the server's memory budget \(--memory-budget 300 MB/);
    // Nothing was stopped for it: stopping idle environments could not have made room.
    expect((await environments()).length).toBe(2);
  });
});
