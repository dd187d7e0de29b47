// Log groups made and tagged through the CloudWatch Logs API, as infrastructure tools do it:
// CreateLogGroup (with tags), the tag operations by ARN and by name, and a function's group made
// ahead of its first run (with a retention) that its logs then land in.
import { execFile } from 'node:child_process';
import {
  CreateLogGroupCommand, DeleteLogGroupCommand, DescribeLogGroupsCommand, InvalidParameterException, ListTagsForResourceCommand,
  ListTagsLogGroupCommand, PutRetentionPolicyCommand, ResourceAlreadyExistsException, ResourceNotFoundException, TagLogGroupCommand,
  TagResourceCommand, TooManyTagsException, UntagLogGroupCommand, UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, createFunction, waitFor } from '../helpers/functions.js';
import { filterAll, invokeJson } from '../helpers/logs.js';
import { failure } from '../helpers/failure.js';

let lk: Lambkin;
const arnOf = (group: string) => `arn:aws:logs:us-east-1:000000000000:log-group:${group}`;

beforeAll(async () => {
  lk = await startLambkin();
});
afterAll(async () => {
  await lk?.stop();
});

describe('CreateLogGroup and tags', () => {
  it('creates a tagged group once; tags change by ARN and by name', async () => {
    const group = '/app/orders';
    await lk.logs.send(new CreateLogGroupCommand({ logGroupName: group, tags: { team: 'shop', env: 'test' } }));
    await expect(lk.logs.send(new CreateLogGroupCommand({ logGroupName: group }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    const described = await lk.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    expect(described.logGroups!.map((g) => [g.logGroupName, g.storedBytes, g.logGroupArn])).toEqual([[group, 0, arnOf(group)]]);
    expect((await lk.logs.send(new ListTagsForResourceCommand({ resourceArn: arnOf(group) }))).tags).toEqual({ env: 'test', team: 'shop' });
    await lk.logs.send(new TagResourceCommand({ resourceArn: `${arnOf(group)}:*`, tags: { env: 'prod', owner: 'ada' } }));
    await lk.logs.send(new UntagResourceCommand({ resourceArn: arnOf(group), tagKeys: ['team'] }));
    expect((await lk.logs.send(new ListTagsLogGroupCommand({ logGroupName: group }))).tags).toEqual({ env: 'prod', owner: 'ada' });
    await lk.logs.send(new TagLogGroupCommand({ logGroupName: group, tags: { cost: '42' } }));
    await lk.logs.send(new UntagLogGroupCommand({ logGroupName: group, tags: ['owner'] }));
    expect((await lk.logs.send(new ListTagsForResourceCommand({ resourceArn: arnOf(group) }))).tags).toEqual({ cost: '42', env: 'prod' });
  });

  it('refuses what it cannot do, saying so', async () => {
    const group = '/app/refusals';
    await lk.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    await lk.logs.send(new TagResourceCommand({ resourceArn: arnOf(group), tags: many }));
    await expect(lk.logs.send(new TagResourceCommand({ resourceArn: arnOf(group), tags: { one: 'more' } }))).rejects.toBeInstanceOf(TooManyTagsException);
    await expect(lk.logs.send(new TagResourceCommand({ resourceArn: arnOf(group), tags: { 'aws:x': 'y' } }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(lk.logs.send(new TagResourceCommand({ resourceArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', tags: { a: 'b' } }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(lk.logs.send(new ListTagsForResourceCommand({ resourceArn: arnOf('/app/nope') }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const kms = await failure(lk.logs.send(new CreateLogGroupCommand({ logGroupName: '/app/kms', kmsKeyId: 'arn:aws:kms:us-east-1:000000000000:key/x' })));
    expect(kms).toBeInstanceOf(InvalidParameterException);
    expect((kms as Error).message).toContain('KMS');
    await lk.logs.send(new DeleteLogGroupCommand({ logGroupName: group }));
    await expect(lk.logs.send(new ListTagsLogGroupCommand({ logGroupName: group }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await lk.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    expect((await lk.logs.send(new ListTagsLogGroupCommand({ logGroupName: group }))).tags).toEqual({});
  });

  it("a function's group made ahead, with a retention: its logs land there", async () => {
    const group = '/aws/lambda/made-ahead';
    await lk.logs.send(new CreateLogGroupCommand({ logGroupName: group, tags: { service: 'made-ahead' } }));
    await lk.logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 7 }));
    await createFunction(lk.lambda, 'made-ahead', NODE, { [NODE.file]: 'exports.lambda_handler = async () => { console.log("landed here"); return 1; };' });
    await invokeJson(lk.lambda, 'made-ahead');
    const lines = await waitFor('the line', async () => {
      const found = await filterAll(lk.logs, { logGroupName: group, filterPattern: '"landed here"' });
      return found.length > 0 ? found : undefined;
    });
    expect(lines).toHaveLength(1);
    const g = (await lk.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups!;
    expect(g.map((x) => [x.logGroupName, x.retentionInDays])).toEqual([[group, 7]]);
    expect((await lk.logs.send(new ListTagsLogGroupCommand({ logGroupName: group }))).tags).toEqual({ service: 'made-ahead' });
  });

  it('aws logs create-log-group / list-tags-for-resource', async (ctx) => {
    const version = await new Promise<string>((r) => execFile('aws', ['--version'], (err, out, errOut) => r(err ? '' : out + errOut)));
    if (!version) ctx.skip();
    const aws = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('aws', ['--endpoint-url', lk.url, '--region', 'us-east-1', '--output', 'json', 'logs', ...args], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '' },
      }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code) || 1 : 0, stdout, stderr }));
    });
    const made = await aws('create-log-group', '--log-group-name', '/app/cli', '--tags', 'team=cli');
    expect(made.code, made.stderr).toBe(0);
    const listed = await aws('list-tags-log-group', '--log-group-name', '/app/cli');
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ tags: { team: 'cli' } });
  });
});
