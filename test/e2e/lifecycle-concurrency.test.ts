// Concurrency controls through the real AWS SDK, on a server with --max-concurrency 20 (so the
// unreserved minimum is 2) and --idle-timeout 1: reservations that would leave less than the
// minimum are refused; GetAccountSettings reports limits and usage; provisioned concurrency keeps
// initialised environments (AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency) that are never
// reaped for idling, reports IN_PROGRESS → READY, and follows its alias to a new version.
import {
  CreateAliasCommand, DeleteFunctionConcurrencyCommand, DeleteProvisionedConcurrencyConfigCommand,
  GetAccountSettingsCommand, GetProvisionedConcurrencyConfigCommand, InvokeCommand, ListProvisionedConcurrencyConfigsCommand,
  PutFunctionConcurrencyCommand, PutProvisionedConcurrencyConfigCommand, UpdateAliasCommand, UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { zip } from '../helpers/zip.js';
import { NODE, createFunction, invoke, probe, waitFor, type ProbeResult } from '../helpers/functions.js';
import { failure } from '../helpers/failure.js';

let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin({ args: ['--max-concurrency', '20', '--idle-timeout', '1'] });
});
afterAll(async () => {
  await lk?.stop();
});


describe('account concurrency', () => {
  it('refuses reservations that leave less than the unreserved minimum, and reports limits and usage', async () => {
    await createFunction(lk.lambda, 'acct-a', NODE);
    await createFunction(lk.lambda, 'acct-b', NODE);
    const before = await lk.lambda.send(new GetAccountSettingsCommand({}));
    expect(before.AccountLimit).toMatchObject({
      ConcurrentExecutions: 20, UnreservedConcurrentExecutions: 20, CodeSizeUnzipped: 262_144_000, CodeSizeZipped: 52_428_800,
    });
    expect(before.AccountLimit?.TotalCodeSize).toBeGreaterThan(0);

    // 20 - 18 leaves exactly the minimum of 2 (a tenth of 20).
    await lk.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'acct-a', ReservedConcurrentExecutions: 18 }));
    const over = await failure(lk.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'acct-b', ReservedConcurrentExecutions: 1 })));
    expect(over.name).toBe('InvalidParameterValueException');
    expect(over.message).toContain('minimum value of [2]');
    const settings = await lk.lambda.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit?.UnreservedConcurrentExecutions).toBe(2);
    await lk.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'acct-a' }));
    await lk.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'acct-b', ReservedConcurrentExecutions: 1 }));
    await lk.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'acct-b' }));

    // Usage counts functions, and the code of every version.
    const usage = (await lk.lambda.send(new GetAccountSettingsCommand({}))).AccountUsage!;
    await createFunction(lk.lambda, 'acct-c', NODE, probe(NODE), { Publish: true });
    const after = (await lk.lambda.send(new GetAccountSettingsCommand({}))).AccountUsage!;
    expect(after.FunctionCount).toBe(usage.FunctionCount! + 1);
    const size = zip(probe(NODE)).length;
    expect(after.TotalCodeSize! - usage.TotalCodeSize!).toBe(2 * size); // $LATEST and version 1
  });
});

describe('provisioned concurrency', () => {
  it('keeps initialised environments for an alias, never reaps them, and follows the alias', async () => {
    const name = 'prov';
    await createFunction(lk.lambda, name, NODE, probe(NODE, 'v1'), { Publish: true });
    await lk.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip(probe(NODE, 'v2')), Publish: true }));
    await lk.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));

    const latest = await failure(lk.lambda.send(new PutProvisionedConcurrencyConfigCommand({
      FunctionName: name, Qualifier: '$LATEST', ProvisionedConcurrentExecutions: 1,
    })));
    expect(latest.name).toBe('InvalidParameterValueException');
    const none = await failure(lk.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: 'live' })));
    expect(none.name).toBe('ProvisionedConcurrencyConfigNotFoundException');

    const put = await lk.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: 'live', ProvisionedConcurrentExecutions: 2 }));
    expect(put.RequestedProvisionedConcurrentExecutions).toBe(2);
    expect(['IN_PROGRESS', 'READY']).toContain(put.Status);
    const ready = await waitFor('the configuration to be READY', async () => {
      const got = await lk.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: 'live' }));
      return got.Status === 'READY' && got;
    });
    expect(ready.AvailableProvisionedConcurrentExecutions).toBe(2);
    const listed = await lk.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: name }));
    expect(listed.ProvisionedConcurrencyConfigs?.map((c) => c.FunctionArn)).toEqual([`arn:aws:lambda:us-east-1:000000000000:function:${name}:live`]);

    type EnvResult = { env: Record<string, string> };
    const tailed = await lk.lambda.send(new InvokeCommand({ FunctionName: `${name}:live`, LogType: 'Tail', Payload: Buffer.from('{"op":"env"}') }));
    const first = { body: JSON.parse(Buffer.from(tailed.Payload!).toString('utf8')) as EnvResult };
    expect(first.body.env.AWS_LAMBDA_INITIALIZATION_TYPE).toBe('provisioned-concurrency');
    expect(first.body.env.AWS_LAMBDA_FUNCTION_VERSION).toBe('1');
    // Initialised ahead of time: its first invocation is no cold start.
    const report = Buffer.from(tailed.LogResult!, 'base64').toString('utf8');
    expect(report).toContain('REPORT RequestId:');
    expect(report).not.toContain('Init Duration');
    const warm = await invoke<ProbeResult>(lk.lambda, `${name}:live`);
    // An on-demand environment of the same function idles out after 1 s; the provisioned ones stay.
    const onDemand = await invoke<ProbeResult>(lk.lambda, name);
    expect((await invoke<EnvResult>(lk.lambda, name, { op: 'env' })).body.env.AWS_LAMBDA_INITIALIZATION_TYPE).toBe('on-demand');
    // Looked at every 1.5 s: more often, the look itself would keep the environment warm.
    await waitFor('the on-demand environment to be reaped', async () => {
      await new Promise((r) => setTimeout(r, 1500));
      return (await invoke<ProbeResult>(lk.lambda, name)).body.context.logStreamName !== onDemand.body.context.logStreamName;
    });
    if (process.env.LAMBKIN_TEST_CLUSTER) {
      // Spread over 3 nodes, the two provisioned environments are on two nodes and the one that
      // answers is the receiving node's own (docs/cluster.md, "Dispatch"): one not seen yet may
      // answer, but it is still one made ahead of time, not an on-demand one.
      const later = await invoke<EnvResult>(lk.lambda, `${name}:live`, { op: 'env' });
      expect(later.body.env.AWS_LAMBDA_INITIALIZATION_TYPE).toBe('provisioned-concurrency');
    } else {
      const later = await invoke<ProbeResult>(lk.lambda, `${name}:live`);
      const streams = new Set([warm.body.context.logStreamName, first.body.env.AWS_LAMBDA_LOG_STREAM_NAME]);
      expect(streams).toContain(later.body.context.logStreamName);
      expect(later.body.count).toBeGreaterThan(1);
    }

    // Pointing the alias at version 2 moves the provisioned environments there.
    await lk.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '2' }));
    await waitFor('READY again on version 2', async () => {
      const got = await lk.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: 'live' }));
      return got.Status === 'READY';
    });
    const moved = await invoke<EnvResult>(lk.lambda, `${name}:live`, { op: 'env' });
    expect(moved.body.env.AWS_LAMBDA_FUNCTION_VERSION).toBe('2');
    expect(moved.body.env.AWS_LAMBDA_INITIALIZATION_TYPE).toBe('provisioned-concurrency');

    await lk.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: 'live' }));
    const gone = await failure(lk.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: 'live' })));
    expect(gone.name).toBe('ProvisionedConcurrencyConfigNotFoundException');
  });

  it('refuses more provisioned concurrency than the function reserves', async () => {
    const name = 'prov-reserved';
    await createFunction(lk.lambda, name, NODE, probe(NODE), { Publish: true });
    await lk.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 1 }));
    const err = await failure(lk.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '1', ProvisionedConcurrentExecutions: 2 })));
    expect(err.name).toBe('InvalidParameterValueException');
    await lk.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
  });
});
