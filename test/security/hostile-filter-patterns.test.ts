// Filter patterns are a caller's program run over a tenant's lines: FilterLogEvents, the
// explorer's `/lambkin/v1/events?filter=` and `/lambkin/v1/invocations?q=` all compile them. With
// a backtracking RegExp, `%^a{9}(a+)+$%` over 44 `a` and a `!` held the event loop for minutes
// (13.8 s at 40), and the JSON wildcard `"*a*a*a*a*a*b"` over a long value as long: every other
// caller waited. Here the same patterns answer, and a warm invoke sent beside them is answered too.
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { api, filterAll, type EventJson, type InvocationJson } from '../helpers/logs.js';
import { call, deploy, ECHO_NODE, stillServes, waitFor } from './hostile.js';

const WRITER = `exports.lambda_handler = async (event) => {
  for (const line of event.lines) process.stdout.write(line + '\\n');
  return 'ok';
};`;
const GROUP = '/aws/lambda/writer';
const EVIL_LINE = 'a'.repeat(44) + '!';
const JSON_LINE = JSON.stringify({ m: 'a'.repeat(3000) });
const EVIL_REGEX = '%^a{9}(a+)+$%';
const EVIL_GLOB = '{ $.m = "*a*a*a*a*a*b" }';

let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin();
  await deploy(lk.lambda, 'bystander', ECHO_NODE);
  await deploy(lk.lambda, 'writer', WRITER);
  expect((await call(lk.lambda, 'writer', { lines: [EVIL_LINE, JSON_LINE] })).body).toBe('ok');
  await waitFor('the lines to be stored', async () => {
    const all = await filterAll(lk.logs, { logGroupName: GROUP });
    return all.some((e) => e.message === JSON_LINE);
  });
  await stillServes(lk.lambda); // warm
}, 60_000);
afterAll(async () => {
  await lk?.stop();
});

/** `search` and a warm invoke sent at the same time: both must be answered. */
async function besideAnInvoke<T>(search: Promise<T>): Promise<T> {
  const [found] = await Promise.all([search, stillServes(lk.lambda)]);
  return found;
}

describe('hostile filter patterns', () => {
  it('FilterLogEvents: a catastrophic regex and a many-wildcard JSON pattern answer, and so does an invoke beside them', async () => {
    expect(await besideAnInvoke(filterAll(lk.logs, { logGroupName: GROUP, filterPattern: EVIL_REGEX }))).toEqual([]);
    expect(await besideAnInvoke(filterAll(lk.logs, { logGroupName: GROUP, filterPattern: EVIL_GLOB }))).toEqual([]);
    // The same forms still match what they should.
    expect((await filterAll(lk.logs, { logGroupName: GROUP, filterPattern: '%^a{9}a+!$%' })).map((e) => e.message)).toEqual([EVIL_LINE]);
    expect((await filterAll(lk.logs, { logGroupName: GROUP, filterPattern: '{ $.m = "a*a*a" }' })).map((e) => e.message)).toEqual([JSON_LINE]);
  }, 60_000);

  it('the explorer: events?filter= and invocations?q= answer the same patterns', async () => {
    for (const pattern of [EVIL_REGEX, EVIL_GLOB]) {
      const q = encodeURIComponent(pattern);
      const events = await besideAnInvoke(api<{ events: EventJson[] }>(lk, `/lambkin/v1/events?function=writer&filter=${q}`));
      expect(events.status).toBe(200);
      expect(events.body.events).toEqual([]);
      const invocations = await besideAnInvoke(api<{ invocations: InvocationJson[] }>(lk, `/lambkin/v1/invocations?function=writer&q=${q}`));
      expect(invocations.status).toBe(200);
      expect(invocations.body.invocations).toEqual([]);
    }
  }, 60_000);

  it('a regex too large to run cheaply is refused, naming the limit', async () => {
    await expect(lk.logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '%[ab]*a[ab]{300}c%' }))).rejects.toMatchObject({
      name: 'InvalidParameterException', message: expect.stringMatching(/too complex.*at most 100/),
    });
  });
});
