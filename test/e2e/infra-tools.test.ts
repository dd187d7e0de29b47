// What infrastructure tools (Terraform, Pulumi, the CDK) call on every plan, through the real AWS
// SDK and the real `aws` CLI: tags, a function's resource policy, every configuration field read
// back as it was set, and an operation lambkin does not implement answered as such.
import {
  AddPermissionCommand, CreateAliasCommand, DeleteFunctionCodeSigningConfigCommand, PutFunctionCodeSigningConfigCommand, GetFunctionCodeSigningConfigCommand, GetRuntimeManagementConfigCommand, ListCodeSigningConfigsCommand, PutRuntimeManagementConfigCommand,
  GetFunctionRecursionConfigCommand, PutFunctionRecursionConfigCommand, GetFunctionCommand, GetPolicyCommand,
  ListEventSourceMappingsCommand, ListTagsCommand, PublishVersionCommand, RemovePermissionCommand, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, createFunction, probe } from '../helpers/functions.js';
import { awsCli, awsCliInstalled } from '../helpers/aws-cli.js';
import { failure } from '../helpers/failure.js';

let lk: Lambkin;
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

beforeAll(async () => {
  lk = await startLambkin();
  await createFunction(lk.lambda, 'infra', NODE, probe(NODE), { Tags: { team: 'core' } });
});
afterAll(async () => {
  await lk?.stop();
});


describe('tags', () => {
  it('TagResource adds, UntagResource removes, ListTags and GetFunction show them; the revision stays', async () => {
    const before = (await lk.lambda.send(new GetFunctionCommand({ FunctionName: 'infra' }))).Configuration!.RevisionId;
    await lk.lambda.send(new TagResourceCommand({ Resource: `${ARN}:infra`, Tags: { env: 'test', owner: 'ada' } }));
    expect((await lk.lambda.send(new ListTagsCommand({ Resource: `${ARN}:infra` }))).Tags).toEqual({ team: 'core', env: 'test', owner: 'ada' });
    await lk.lambda.send(new UntagResourceCommand({ Resource: `${ARN}:infra`, TagKeys: ['owner', 'absent'] }));
    const got = await lk.lambda.send(new GetFunctionCommand({ FunctionName: 'infra' }));
    expect(got.Tags).toEqual({ team: 'core', env: 'test' });
    expect(got.Configuration!.RevisionId).toBe(before);
    expect((await failure(lk.lambda.send(new ListTagsCommand({ Resource: `${ARN}:nope` })))).name).toBe('ResourceNotFoundException');
    expect((await failure(lk.lambda.send(new TagResourceCommand({ Resource: `${ARN}:infra:1`, Tags: { a: 'b' } })))).name).toBe('InvalidParameterValueException');
    const many = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v']));
    expect((await failure(lk.lambda.send(new TagResourceCommand({ Resource: `${ARN}:infra`, Tags: many })))).message).toMatch(/at most 50 tags/);
  });

  it('`aws lambda list-tags` reads them', async (ctx) => {
    if (!(await awsCliInstalled())) ctx.skip();
    const listed = await awsCli(lk.url, 'lambda', 'list-tags', '--resource', `${ARN}:infra`);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).Tags).toMatchObject({ team: 'core' });
  });
});

describe('resource policy', () => {
  it('AddPermission builds statements, GetPolicy shows the document, RemovePermission takes them away', async () => {
    expect((await failure(lk.lambda.send(new GetPolicyCommand({ FunctionName: 'infra' })))).name).toBe('ResourceNotFoundException');
    const added = await lk.lambda.send(new AddPermissionCommand({
      FunctionName: 'infra', StatementId: 's3', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com',
      SourceArn: 'arn:aws:s3:::my-bucket', SourceAccount: '123456789012',
    }));
    expect(JSON.parse(added.Statement!)).toEqual({
      Sid: 's3', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: `${ARN}:infra`,
      Condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' }, ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::my-bucket' } },
    });
    await lk.lambda.send(new AddPermissionCommand({
      FunctionName: 'infra', StatementId: 'url', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE',
    }));
    const policy = await lk.lambda.send(new GetPolicyCommand({ FunctionName: 'infra' }));
    const doc = JSON.parse(policy.Policy!) as { Version: string; Statement: { Sid: string; Principal: unknown }[] };
    expect(doc.Version).toBe('2012-10-17');
    expect(doc.Statement.map((s) => s.Sid)).toEqual(['s3', 'url']);
    expect(doc.Statement[1]!.Principal).toBe('*');
    expect(policy.RevisionId).toBeDefined();
    expect((await failure(lk.lambda.send(new AddPermissionCommand({
      FunctionName: 'infra', StatementId: 's3', Action: 'lambda:InvokeFunction', Principal: '123456789012',
    })))).name).toBe('ResourceConflictException');
    const stale = await failure(lk.lambda.send(new AddPermissionCommand({
      FunctionName: 'infra', StatementId: 'late', Action: 'lambda:InvokeFunction', Principal: '123456789012', RevisionId: 'not-the-revision',
    })));
    expect(stale.$metadata?.httpStatusCode).toBe(412);
    await lk.lambda.send(new RemovePermissionCommand({ FunctionName: 'infra', StatementId: 's3' }));
    await lk.lambda.send(new RemovePermissionCommand({ FunctionName: 'infra', StatementId: 'url' }));
    expect((await failure(lk.lambda.send(new GetPolicyCommand({ FunctionName: 'infra' })))).name).toBe('ResourceNotFoundException');
    expect((await failure(lk.lambda.send(new RemovePermissionCommand({ FunctionName: 'infra', StatementId: 'url' })))).name).toBe('ResourceNotFoundException');
  });

  it('a version or an alias has a policy of its own; `aws lambda get-policy` reads it', async (ctx) => {
    await lk.lambda.send(new PublishVersionCommand({ FunctionName: 'infra' }));
    await lk.lambda.send(new CreateAliasCommand({ FunctionName: 'infra', Name: 'live', FunctionVersion: '1' }));
    await lk.lambda.send(new AddPermissionCommand({
      FunctionName: 'infra', Qualifier: 'live', StatementId: 'account', Action: 'lambda:InvokeFunction', Principal: '123456789012',
    }));
    const live = JSON.parse((await lk.lambda.send(new GetPolicyCommand({ FunctionName: 'infra', Qualifier: 'live' }))).Policy!);
    expect(live.Statement[0]).toMatchObject({ Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Resource: `${ARN}:infra:live` });
    expect((await failure(lk.lambda.send(new GetPolicyCommand({ FunctionName: 'infra' })))).name).toBe('ResourceNotFoundException');
    expect((await failure(lk.lambda.send(new GetPolicyCommand({ FunctionName: 'infra', Qualifier: 'gone' })))).name).toBe('ResourceNotFoundException');
    if (!(await awsCliInstalled())) ctx.skip();
    const cli = await awsCli(lk.url, 'lambda', 'get-policy', '--function-name', 'infra', '--qualifier', 'live');
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(JSON.parse(cli.stdout).Policy).Statement[0].Sid).toBe('account');
    const none = await awsCli(lk.url, 'lambda', 'get-policy', '--function-name', 'infra');
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('ResourceNotFoundException');
  });
});

describe('configuration fields', () => {
  it('`aws lambda update-function-configuration` setting every field reads back the same values', async (ctx) => {
    if (!(await awsCliInstalled())) ctx.skip();
    const set = await awsCli(lk.url, 'lambda', 'update-function-configuration', '--function-name', 'infra',
      '--description', 'every field', '--timeout', '7', '--memory-size', '256', '--handler', 'lambda_function.lambda_handler',
      '--role', 'arn:aws:iam::123456789012:role/other', '--environment', 'Variables={COLOUR=blue}',
      '--ephemeral-storage', 'Size=1024', '--tracing-config', 'Mode=Active', '--kms-key-arn', 'arn:aws:kms:us-east-1:123456789012:key/k1',
      '--vpc-config', 'SubnetIds=subnet-1,subnet-2,SecurityGroupIds=sg-1', '--dead-letter-config', 'TargetArn=arn:aws:sqs:us-east-1:123456789012:dlq',
      '--snap-start', 'ApplyOn=PublishedVersions', '--logging-config', 'LogFormat=JSON,ApplicationLogLevel=DEBUG,SystemLogLevel=WARN,LogGroup=/custom/infra');
    expect(set.code, set.stderr).toBe(0);
    const read = await awsCli(lk.url, 'lambda', 'get-function-configuration', '--function-name', 'infra');
    expect(read.code, read.stderr).toBe(0);
    const expected = {
      Description: 'every field', Timeout: 7, MemorySize: 256, Role: 'arn:aws:iam::123456789012:role/other',
      Environment: { Variables: { COLOUR: 'blue' } }, EphemeralStorage: { Size: 1024 }, TracingConfig: { Mode: 'Active' },
      KMSKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k1',
      VpcConfig: { SubnetIds: ['subnet-1', 'subnet-2'], SecurityGroupIds: ['sg-1'] },
      DeadLetterConfig: { TargetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq' },
      SnapStart: { ApplyOn: 'PublishedVersions' },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG', SystemLogLevel: 'WARN', LogGroup: '/custom/infra' },
    };
    expect(JSON.parse(set.stdout)).toMatchObject(expected);
    expect(JSON.parse(read.stdout)).toMatchObject(expected);
    // A later update of one field keeps the others.
    const again = await awsCli(lk.url, 'lambda', 'update-function-configuration', '--function-name', 'infra', '--tracing-config', 'Mode=PassThrough');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ...expected, TracingConfig: { Mode: 'PassThrough' } });
    // Clearing: an empty VpcConfig and DeadLetterConfig remove them.
    const cleared = await awsCli(lk.url, 'lambda', 'update-function-configuration', '--function-name', 'infra',
      '--vpc-config', 'SubnetIds=[],SecurityGroupIds=[]', '--dead-letter-config', '{}');
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(JSON.parse(cleared.stdout)).not.toHaveProperty('DeadLetterConfig');
    expect(JSON.parse(cleared.stdout)).not.toHaveProperty('VpcConfig');
  });
});

describe('code signing', () => {
  it('GetFunctionCodeSigningConfig answers the ARN CreateFunction gave, or "" (Terraform reads it on every plan)', async () => {
    expect(await lk.lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: 'infra' }))).toMatchObject({ CodeSigningConfigArn: '', FunctionName: 'infra' });
    const csc = 'arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-0123456789abcdef0';
    await createFunction(lk.lambda, 'signed', NODE, probe(NODE), { CodeSigningConfigArn: csc });
    expect((await lk.lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: 'signed' }))).CodeSigningConfigArn).toBe(csc);
    expect((await failure(lk.lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: 'nope' })))).name).toBe('ResourceNotFoundException');
    const other = 'arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-abcdefabcdefabcde';
    expect(await lk.lambda.send(new PutFunctionCodeSigningConfigCommand({ FunctionName: 'signed', CodeSigningConfigArn: other }))).toMatchObject({ CodeSigningConfigArn: other });
    expect((await lk.lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: 'signed' }))).CodeSigningConfigArn).toBe(other);
    await lk.lambda.send(new DeleteFunctionCodeSigningConfigCommand({ FunctionName: 'signed' }));
    expect((await lk.lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: 'signed' }))).CodeSigningConfigArn).toBe('');
  });
});

describe('runtime management and recursion settings', () => {
  it('are stored and read back (per version for runtime management), with Lambda\'s defaults', async () => {
    expect(await lk.lambda.send(new GetRuntimeManagementConfigCommand({ FunctionName: 'infra' }))).toMatchObject({ UpdateRuntimeOn: 'Auto', FunctionArn: `${ARN}:infra:$LATEST` });
    const pinned = 'arn:aws:lambda:us-east-1::runtime:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
    await lk.lambda.send(new PutRuntimeManagementConfigCommand({ FunctionName: 'infra', UpdateRuntimeOn: 'Manual', RuntimeVersionArn: pinned }));
    expect(await lk.lambda.send(new GetRuntimeManagementConfigCommand({ FunctionName: 'infra' }))).toMatchObject({ UpdateRuntimeOn: 'Manual', RuntimeVersionArn: pinned });
    expect((await failure(lk.lambda.send(new PutRuntimeManagementConfigCommand({ FunctionName: 'infra', UpdateRuntimeOn: 'Manual' })))).name).toBe('InvalidParameterValueException');
    expect(await lk.lambda.send(new GetFunctionRecursionConfigCommand({ FunctionName: 'infra' }))).toMatchObject({ RecursiveLoop: 'Terminate' });
    await lk.lambda.send(new PutFunctionRecursionConfigCommand({ FunctionName: 'infra', RecursiveLoop: 'Allow' }));
    expect(await lk.lambda.send(new GetFunctionRecursionConfigCommand({ FunctionName: 'infra' }))).toMatchObject({ RecursiveLoop: 'Allow' });
  });
});

describe('operations lambkin does not implement', () => {
  it('answer NotImplementedException naming the operation, not ResourceNotFoundException', async () => {
    const csc = await failure(lk.lambda.send(new ListCodeSigningConfigsCommand({})));
    expect(csc.name).toBe('NotImplementedException');
    expect(csc.$metadata?.httpStatusCode).toBe(501);
    expect(csc.message).toMatch(/does not implement the Lambda operation ListCodeSigningConfigs/);
    const esm = await failure(lk.lambda.send(new ListEventSourceMappingsCommand({})));
    expect(esm.name).toBe('NotImplementedException');
    expect(esm.message).toContain('ListEventSourceMappings');
    // A path that is no Lambda operation at all stays "no such route".
    const res = await fetch(`${lk.url}/2015-03-31/nothing-here`);
    expect(res.status).toBe(404);
  });
});
