// Bad input, each answered in Lambda's error format (typed exception, 4xx), changing nothing and
// leaving the server up: malformed names and settings, bodies that are not JSON, zips that are
// not zips or that try to write outside their folder, invoke payloads that are not JSON.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateFunctionCommand, GetFunctionCommand, InvokeCommand, ListFunctionsCommand, UpdateFunctionCodeCommand,
  type CreateFunctionCommandInput,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { zip } from '../helpers/zip.js';
import { NODE, ROLE, createFunction, invoke, probe } from '../helpers/functions.js';
import { failure } from '../helpers/failure.js';

let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin();
  await createFunction(lk.lambda, 'keeper', NODE, probe(NODE, 'original'));
});
afterAll(async () => {
  await lk?.stop();
});


async function functionNames(): Promise<string[]> {
  return ((await lk.lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName!);
}

const good = (): CreateFunctionCommandInput => ({
  FunctionName: 'fresh', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'lambda_function.lambda_handler',
  Code: { ZipFile: zip(probe(NODE)) },
});

const escapee = join(tmpdir(), `lambkin-escape-${process.pid}.js`);
const badCreates: { what: string; input: CreateFunctionCommandInput; error: string }[] = [
  { what: 'a name with spaces', input: { ...good(), FunctionName: 'bad name!' }, error: 'ValidationException' },
  { what: 'a name over 64 characters', input: { ...good(), FunctionName: 'n'.repeat(65) }, error: 'ValidationException' },
  { what: 'an unknown runtime', input: { ...good(), Runtime: 'cobol85' as 'nodejs20.x' }, error: 'ValidationException' },
  { what: 'MemorySize 64', input: { ...good(), MemorySize: 64 }, error: 'ValidationException' },
  { what: 'MemorySize 10241', input: { ...good(), MemorySize: 10241 }, error: 'InvalidParameterValueException' },
  { what: 'Timeout 0', input: { ...good(), Timeout: 0 }, error: 'ValidationException' },
  { what: 'Timeout 901', input: { ...good(), Timeout: 901 }, error: 'ValidationException' },
  { what: 'a ZipFile that is not a zip', input: { ...good(), Code: { ZipFile: Buffer.from('this is not a zip') } }, error: 'InvalidParameterValueException' },
  {
    what: "a zip with a '../' path",
    input: { ...good(), Code: { ZipFile: zip({ ...probe(NODE), '../../escape.js': 'x' }) } }, error: 'InvalidParameterValueException',
  },
  {
    what: 'a zip with an absolute path',
    input: { ...good(), Code: { ZipFile: zip({ ...probe(NODE), [escapee]: 'x' }) } }, error: 'InvalidParameterValueException',
  },
  {
    what: 'a zip with a symlink out of the package',
    input: { ...good(), Code: { ZipFile: zip({ ...probe(NODE), 'passwd': { content: '../../../../../../etc/passwd', mode: 0o120777 } }) } },
    error: 'InvalidParameterValueException',
  },
  {
    what: 'a zip with an absolute symlink',
    input: { ...good(), Code: { ZipFile: zip({ ...probe(NODE), 'etc': { content: '/etc', mode: 0o120777 } }) } },
    error: 'InvalidParameterValueException',
  },
];

describe('CreateFunction', () => {
  it.each(badCreates)('refuses $what with $error and creates nothing', async ({ input, error }) => {
    const before = await functionNames();
    const err = await failure(lk.lambda.send(new CreateFunctionCommand(input)));
    expect(err.name).toBe(error);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.Type).toBe('User');
    expect(err.message.length).toBeGreaterThan(0);
    expect(await functionNames()).toEqual(before);
    expect(existsSync(escapee)).toBe(false);
    expect(existsSync(join(lk.dataDir, 'escape.js'))).toBe(false);
  });

  it('answers a body that is not JSON with InvalidRequestContentException in Lambda\'s format', async () => {
    const res = await fetch(`${lk.url}/2015-03-31/functions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"FunctionName": "raw",',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    const body = (await res.json()) as { Type: string; message: string };
    expect(body.Type).toBe('User');
    expect(body.message).toMatch(/json/i);
    expect(await functionNames()).not.toContain('raw');
  });

  it('still creates a good function afterwards', async () => {
    await lk.lambda.send(new CreateFunctionCommand(good()));
    expect((await invoke(lk.lambda, 'fresh')).body.count).toBe(1);
  });
});

describe('UpdateFunctionCode', () => {
  it('refuses a zip that is not a zip and keeps the old code', async () => {
    const err = await failure(lk.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'keeper', ZipFile: Buffer.from('PK nope') })));
    expect(err.name).toBe('InvalidParameterValueException');
    const escaping = await failure(lk.lambda.send(new UpdateFunctionCodeCommand({
      FunctionName: 'keeper', ZipFile: zip({ ...probe(NODE, 'evil'), '../x.js': 'x' }),
    })));
    expect(escaping.name).toBe('InvalidParameterValueException');
    expect((await invoke(lk.lambda, 'keeper')).body.version).toBe('original');
  });

  it('answers an unknown function with ResourceNotFoundException', async () => {
    const err = await failure(lk.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'ghost', ZipFile: zip(probe(NODE)) })));
    expect(err.name).toBe('ResourceNotFoundException');
  });
});

describe('Invoke', () => {
  it('refuses a payload that is not JSON with 400 InvalidRequestContentException', async () => {
    const err = await failure(lk.lambda.send(new InvokeCommand({ FunctionName: 'keeper', Payload: Buffer.from('{not json') })));
    expect(err.name).toBe('InvalidRequestContentException');
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it('refuses an invalid function name with ValidationException', async () => {
    const err = await failure(lk.lambda.send(new GetFunctionCommand({ FunctionName: 'no spaces allowed' })));
    expect(err.name).toBe('ValidationException');
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it('refuses an unknown invocation type', async () => {
    const res = await fetch(`${lk.url}/2015-03-31/functions/keeper/invocations`, {
      method: 'POST', headers: { 'x-amz-invocation-type': 'Sometimes' }, body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException');
  });

  it('is still up and serving after all of it', async () => {
    expect(lk.proc.exitCode).toBeNull();
    const res = await invoke(lk.lambda, 'keeper', { after: true });
    expect(res.functionError).toBeUndefined();
    expect(res.body.version).toBe('original');
  });
});
