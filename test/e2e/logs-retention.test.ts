// Retention and deletion of log groups, through CloudWatch Logs clients: PutRetentionPolicy is
// enforced by the background sweep (old events, emptied streams and old invocation records go;
// recent ones stay), DeleteRetentionPolicy keeps everything again, DeleteLogGroup removes the
// group at once and a function that logs again gets a fresh one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  DeleteLogGroupCommand, DeleteRetentionPolicyCommand, DescribeLogGroupsCommand, DescribeLogStreamsCommand,
  FilterLogEventsCommand, PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { logStoreFor } from '../helpers/database.js';
import { NODE, createFunction, waitFor } from '../helpers/functions.js';
import { api, filterAll, invokeJson, type InvocationJson } from '../helpers/logs.js';

const DAY = 86_400_000;
const NAME = 'keeper';
const GROUP = `/aws/lambda/${NAME}`;
const OLD_STREAM = '2026/01/01/[$LATEST]00000000000000000000000000000001';
const ECHO = `exports.lambda_handler = async (event) => { console.log('recent', event.n); return 'ok'; };`;

let lk: Lambkin;
let dataDir: string;
const oldRequests = [randomUUID(), randomUUID()];

beforeAll(async () => {
  // Three days of history, written before the server starts, through the store itself.
  dataDir = mkdtempSync(join(tmpdir(), 'lambkin-retention-'));
  const { store, close } = await logStoreFor(dataDir);
  const at = Date.now() - 3 * DAY;
  await store.writeBatch(
    oldRequests.flatMap((requestId, i) => ['START old', 'old line', 'END old'].map((message, k) => ({
      timestamp: at + i * 10 + k, group: GROUP, stream: OLD_STREAM, envId: '1', requestId, level: 'INFO' as const, message,
    }))),
    oldRequests.map((requestId, i) => ({
      requestId, functionName: NAME, version: '$LATEST', envId: '1', logStream: OLD_STREAM, startedAt: at + i * 10, cold: i === 0,
      initMs: undefined, durationMs: 2, billedMs: 2, memoryMb: 128, maxMemoryUsedMb: 40, outcome: 'success' as const,
      errorType: undefined, errorMessage: undefined,
    })),
  );
  await close();
  lk = await startLambkin({ dataDir, args: ['--log-sweep-interval', '1'] });
  await createFunction(lk.lambda, NAME, NODE, { [NODE.file]: ECHO });
  await invokeJson(lk.lambda, NAME, { n: 1 });
});
afterAll(async () => {
  await lk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const messages = async () => (await filterAll(lk.logs, { logGroupName: GROUP })).map((e) => e.message!);
const records = async () => (await api<{ invocations: InvocationJson[] }>(lk, `/lambkin/v1/invocations?function=${NAME}`)).body.invocations;

describe('retention', () => {
  it('keeps everything until a policy is set, then the sweep removes what is older', async () => {
    expect(await messages()).toEqual(expect.arrayContaining(['old line', expect.stringMatching(/\tINFO\trecent 1$/)]));
    expect(await records()).toHaveLength(3);
    const before = await lk.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: GROUP }));
    expect(before.logGroups![0]!.retentionInDays).toBeUndefined();

    await lk.logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 1 }));
    const after = await lk.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: GROUP }));
    expect(after.logGroups![0]!.retentionInDays).toBe(1);

    await waitFor('the sweep to remove the old events', async () => !(await messages()).includes('old line'));
    const left = await messages();
    expect(left.some((m) => m.endsWith('recent 1'))).toBe(true);
    expect(left.filter((m) => m.includes('old'))).toEqual([]);
    // The stream that only had old events is gone; old invocation records too.
    const streams = await lk.logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }));
    expect(streams.logStreams!.map((s) => s.logStreamName)).not.toContain(OLD_STREAM);
    const kept = await records();
    expect(kept.map((r) => r.requestId)).not.toEqual(expect.arrayContaining([oldRequests[0]]));
    expect(kept).toHaveLength(1);
    expect((await api(lk, `/lambkin/v1/invocations/${oldRequests[0]}`)).status).toBe(404);
  });

  it('accepts only CloudWatch\'s retention values, and DeleteRetentionPolicy keeps events forever again', async () => {
    await expect(lk.logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 2 })))
      .rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(lk.logs.send(new PutRetentionPolicyCommand({ logGroupName: '/aws/lambda/none', retentionInDays: 7 })))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await lk.logs.send(new DeleteRetentionPolicyCommand({ logGroupName: GROUP }));
    const group = await lk.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: GROUP }));
    expect(group.logGroups![0]!.retentionInDays).toBeUndefined();
  });
});

describe('DeleteLogGroup', () => {
  it('removes the group at once; the next invocation starts a new one', async () => {
    await lk.logs.send(new DeleteLogGroupCommand({ logGroupName: GROUP }));
    const groups = await lk.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: GROUP }));
    expect(groups.logGroups).toEqual([]);
    await expect(lk.logs.send(new FilterLogEventsCommand({ logGroupName: GROUP }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(lk.logs.send(new DeleteLogGroupCommand({ logGroupName: GROUP }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    await invokeJson(lk.lambda, NAME, { n: 2 });
    const fresh = await messages();
    expect(fresh.some((m) => m.endsWith('recent 2'))).toBe(true);
    expect(fresh.some((m) => m.endsWith('recent 1'))).toBe(false);
  });
});
