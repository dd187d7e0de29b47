// Subscription filters through the AWS SDK: a group's matching events reach a Lambda function in
// CloudWatch Logs' subscription format (gzip + base64 `awslogs.data`), which the function decodes
// and logs; at most 2 filters per group; a function subscribed to its own group is not invoked
// again by its own deliveries' lines.
import {
  DeleteSubscriptionFilterCommand, DescribeSubscriptionFiltersCommand, InvalidParameterException, LimitExceededException,
  PutSubscriptionFilterCommand, ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, createFunction, waitFor } from '../helpers/functions.js';
import { api, filterAll, invokeJson } from '../helpers/logs.js';

let lk: Lambkin;
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const APP = 'exports.lambda_handler = async (e) => { for (const l of e.lines) console.log(l); return 1; };';
// Decodes what it is given and logs it as one line: the test reads that line back.
const SHIPPER = `const zlib = require('node:zlib');
exports.lambda_handler = async (e) => {
  const batch = JSON.parse(zlib.gunzipSync(Buffer.from(e.awslogs.data, 'base64')).toString());
  console.log('GOT ' + JSON.stringify(batch));
  return 1;
};`;

// The shipper, and when invoked directly it logs `direct <n>`.
const ECHO = SHIPPER.replace('exports.lambda_handler = async (e) => {', "exports.lambda_handler = async (e) => {\n  if (!e.awslogs) { console.log('direct', e.n); return 1; }");

interface Delivered {
  messageType: string; owner: string; logGroup: string; logStream: string; subscriptionFilters: string[];
  logEvents: { id: string; timestamp: number; message: string }[];
}

async function deliveries(fn: string): Promise<Delivered[]> {
  // Before the function's first run its group does not exist.
  const lines = await filterAll(lk.logs, { logGroupName: `/aws/lambda/${fn}`, filterPattern: '"GOT "' }).catch((err: unknown) => {
    if (err instanceof ResourceNotFoundException) return [];
    throw err;
  });
  return lines.map((l) => JSON.parse(l.message!.slice(l.message!.indexOf('GOT ') + 4)) as Delivered);
}

beforeAll(async () => {
  lk = await startLambkin();
  await createFunction(lk.lambda, 'app', NODE, { [NODE.file]: APP });
  await createFunction(lk.lambda, 'shipper', NODE, { [NODE.file]: SHIPPER });
  await createFunction(lk.lambda, 'echo', NODE, { [NODE.file]: ECHO });
  await invokeJson(lk.lambda, 'app', { lines: ['warm-up'] }); // the group exists
});
afterAll(async () => {
  await lk?.stop();
});

describe('subscription filters', () => {
  it('delivers matching events to the function, decoded as CloudWatch Logs sends them', async () => {
    await lk.logs.send(new PutSubscriptionFilterCommand({ logGroupName: '/aws/lambda/app', filterName: 'errors', filterPattern: 'ERROR', destinationArn: fnArn('shipper') }));
    const out = await invokeJson(lk.lambda, 'app', { lines: ['INFO fine', 'ERROR disk full', 'ERROR no space'] });
    const got = await waitFor('the delivery logged by the shipper', async () => {
      const d = await deliveries('shipper');
      return d.reduce((n, x) => n + x.logEvents.length, 0) >= 2 ? d : undefined;
    }, 60_000);
    const events = got.flatMap((d) => d.logEvents);
    expect(events.map((e) => e.message.trim().split('\t').pop())).toEqual(['ERROR disk full', 'ERROR no space']);
    expect(events.every((e) => e.message.includes(out.requestId))).toBe(true);
    expect(got[0]).toMatchObject({ messageType: 'DATA_MESSAGE', owner: '000000000000', logGroup: '/aws/lambda/app', subscriptionFilters: ['errors'] });
    expect(got[0]!.logStream).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
  }, 90_000);

  it('describes, limits to two per group, replaces by name and deletes', async () => {
    const group = '/aws/lambda/app';
    await lk.logs.send(new PutSubscriptionFilterCommand({ logGroupName: group, filterName: 'all', filterPattern: '', destinationArn: fnArn('shipper') }));
    await lk.logs.send(new PutSubscriptionFilterCommand({ logGroupName: group, filterName: 'all', filterPattern: 'WARN', destinationArn: fnArn('shipper') }));
    await expect(lk.logs.send(new PutSubscriptionFilterCommand({ logGroupName: group, filterName: 'third', filterPattern: '', destinationArn: fnArn('shipper') })))
      .rejects.toBeInstanceOf(LimitExceededException);
    const described = await lk.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: group }));
    expect(described.subscriptionFilters!.map((f) => [f.filterName, f.filterPattern, f.destinationArn, f.distribution])).toEqual([
      ['all', 'WARN', fnArn('shipper'), 'ByLogStream'], ['errors', 'ERROR', fnArn('shipper'), 'ByLogStream'],
    ]);
    expect(described.subscriptionFilters![0]!.creationTime).toBeGreaterThan(Date.now() - 600_000);
    await lk.logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: group, filterName: 'all' }));
    await expect(lk.logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: group, filterName: 'all' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await lk.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: group, filterNamePrefix: 'err' }))).subscriptionFilters!.map((f) => f.filterName)).toEqual(['errors']);
    await expect(lk.logs.send(new PutSubscriptionFilterCommand({ logGroupName: group, filterName: 'x', filterPattern: '', destinationArn: fnArn('nope') })))
      .rejects.toBeInstanceOf(InvalidParameterException);
    await expect(lk.logs.send(new PutSubscriptionFilterCommand({ logGroupName: group, filterName: 'x', filterPattern: '', destinationArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s' })))
      .rejects.toBeInstanceOf(InvalidParameterException);
    await expect(lk.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: '/aws/lambda/none' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('a function subscribed to its own group gets its direct invocations, not its deliveries, again', async () => {
    await invokeJson(lk.lambda, 'echo', { n: 0 }); // the group exists
    await lk.logs.send(new PutSubscriptionFilterCommand({ logGroupName: '/aws/lambda/echo', filterName: 'self', filterPattern: '', destinationArn: fnArn('echo') }));
    await invokeJson(lk.lambda, 'echo', { n: 1 });
    await waitFor('the first delivery', async () => (await deliveries('echo')).length >= 1 || undefined, 60_000);
    // Without the guard, the first delivery's own lines would be delivered before this one's.
    await invokeJson(lk.lambda, 'echo', { n: 2 });
    const got = await waitFor('the second delivery', async () => {
      const d = await deliveries('echo');
      return d.some((x) => x.logEvents.some((e) => /direct 2/.test(e.message))) ? d : undefined;
    }, 60_000);
    // Every queued delivery has run: had the first delivery's own lines been delivered (queued
    // before this one), their delivery's lines would be read now.
    await waitFor('the async queue idle', async () => {
      const depth = (await api<{ queued: number; running: number }>(lk, '/lambkin/v1/async-queue')).body;
      return depth.queued === 0 && depth.running === 0 ? true : undefined;
    }, 60_000);
    got.splice(0, got.length, ...(await deliveries('echo')));
    const direct = got.flatMap((d) => d.logEvents.map((e) => /direct (\d)/.exec(e.message)?.[1]).filter(Boolean));
    expect(direct).toEqual(['1', '2']);
    expect(got.flatMap((d) => d.logEvents).some((e) => e.message.includes('GOT '))).toBe(false);
  }, 150_000);
});
