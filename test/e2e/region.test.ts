// LAMBKIN_REGION: read with the other settings at start, it is the region of every ARN the server
// gives out (functions, aliases, log groups) and the one a function ARN in a request must name.
import { CreateAliasCommand, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { failure } from '../helpers/failure.js';
import { NODE, createFunction } from '../helpers/functions.js';
import { startLambkin, type Lambkin } from '../helpers/server.js';

let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin({ env: { LAMBKIN_REGION: 'eu-west-1' } });
});
afterAll(async () => {
  await lk?.stop();
});

it('names its region in every ARN, and refuses a function ARN of another region', async () => {
  await createFunction(lk.lambda, 'regional', NODE);
  const got = await lk.lambda.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:eu-west-1:000000000000:function:regional' }));
  expect(got.Configuration?.FunctionArn).toBe('arn:aws:lambda:eu-west-1:000000000000:function:regional');
  const alias = await lk.lambda.send(new CreateAliasCommand({ FunctionName: 'regional', Name: 'live', FunctionVersion: '$LATEST' }));
  expect(alias.AliasArn).toBe('arn:aws:lambda:eu-west-1:000000000000:function:regional:live');

  const other = await failure(lk.lambda.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:regional' })));
  expect(other.name).toBe('InvalidParameterValueException');
  expect(other.message).toContain('this server is region eu-west-1');

  await lk.logs.send(new CreateLogGroupCommand({ logGroupName: '/regional/group' }));
  const groups = await lk.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/regional/' }));
  expect(groups.logGroups?.map((g) => g.logGroupArn)).toEqual(['arn:aws:logs:eu-west-1:000000000000:log-group:/regional/group']);
});
