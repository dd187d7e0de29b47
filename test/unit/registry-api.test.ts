// The control-plane operations, called directly with ApiRequests, on a real Registry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/errors.js';
import type { ApiRequest, ApiResponse, Route } from '../../src/api/http.js';
import { parseFunctionName } from '../../src/api/lambda/function-name.js';
import { controlPlaneRoutes } from '../../src/api/lambda/routes.js';
import { Arns } from '../../src/registry/arn.js';
import { Registry } from '../../src/registry/registry.js';

const ZIP = Buffer.from(zipSync({ 'lambda_function.py': strToU8('def lambda_handler(e, c):\n    return e\n') }));
const ZIP64 = ZIP.toString('base64');

let dir: string;
let registry: Registry;
let changed: string[];
let routes: Route[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambkin-api-'));
  registry = await Registry.open(dir);
  changed = [];
  routes = controlPlaneRoutes({ registry, onFunctionChanged: (name) => changed.push(name) });
});
afterEach(async () => {
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Call the operation of `method pattern` with path params, query and a JSON (or raw) body. */
async function call(
  method: string,
  pattern: string,
  opts: { params?: Record<string, string>; query?: string; body?: unknown } = {},
// biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of its own answer
): Promise<ApiResponse & { json: Record<string, any> }> {
  const route = routes.find((r) => r.method === method && r.pattern === pattern);
  if (!route) throw new Error(`no route ${method} ${pattern}`);
  const body =
    opts.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(JSON.stringify(opts.body));
  const req: ApiRequest = {
    method,
    path: pattern,
    params: opts.params ?? {},
    query: new URLSearchParams(opts.query ?? ''),
    headers: { host: 'localhost:9000' },
    body,
    requestId: 'req-1',
  };
  const res = await route.operation(req);
  // biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of its own answer
  const json = res.body && !Buffer.isBuffer(res.body) && typeof res.body === 'object' ? (res.body as Record<string, any>) : {};
  return { ...res, json };
}

async function fails(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

const F = '/2015-03-31/functions';
const create = (body: Record<string, unknown>) =>
  call('POST', F, { body: { FunctionName: 'hello', Runtime: 'python3.12', Code: { ZipFile: ZIP64 }, ...body } });

describe('CreateFunction', () => {
  it('answers 201 with a FunctionConfiguration as Lambda writes it', async () => {
    const res = await create({ Environment: { Variables: { AA: '1' } }, Tags: { team: 'x' } });
    expect(res.status).toBe(201);
    const c = res.json;
    expect(c).toMatchObject({
      FunctionName: 'hello',
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:hello',
      Runtime: 'python3.12',
      Role: 'arn:aws:iam::000000000000:role/lambkin',
      Handler: 'lambda_function.lambda_handler',
      CodeSize: ZIP.length,
      Description: '',
      Timeout: 3,
      MemorySize: 128,
      Version: '$LATEST',
      Environment: { Variables: { AA: '1' } },
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      EphemeralStorage: { Size: 512 },
      LoggingConfig: { LogFormat: 'Text', LogGroup: '/aws/lambda/hello' },
      TracingConfig: { Mode: 'PassThrough' },
      SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    });
    expect(Buffer.from(c.CodeSha256, 'base64')).toHaveLength(32);
    expect(c.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(c.RevisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(c).not.toHaveProperty('LambkinLogging');
    expect(c).not.toHaveProperty('LambkinSanitizeErrors');
  });

  it('omits Environment when there are no variables, and echoes the lambkin extensions only when set', async () => {
    const c = (await create({ LambkinLogging: false, LambkinSanitizeErrors: true, LoggingConfig: { LogFormat: 'JSON' } })).json;
    expect(c).not.toHaveProperty('Environment');
    expect(c.LambkinLogging).toBe(false);
    expect(c.LambkinSanitizeErrors).toBe(true);
    expect(c.LoggingConfig).toMatchObject({ LogFormat: 'JSON', LogGroup: '/aws/lambda/hello' });
    expect(registry.get('hello')?.config).toMatchObject({ sanitizeErrors: true, loggingConfig: { enabled: false, logFormat: 'JSON' } });
  });

  it('accepts known Lambda members it does not implement', async () => {
    const res = await create({
      VpcConfig: { SubnetIds: [], SecurityGroupIds: [] },
      TracingConfig: { Mode: 'Active' },
      KMSKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/x',
      DeadLetterConfig: {},
      Layers: [],
      Architectures: [process.arch === 'arm64' ? 'arm64' : 'x86_64'],
      PackageType: 'Zip',
      Publish: false,
      SnapStart: { ApplyOn: 'None' },
    });
    expect(res.status).toBe(201);
  });

  it.each([
    ['a body that is not JSON', Buffer.from('{nope'), 'InvalidRequestContentException', /^Could not parse request body into json: /],
    ['an unknown member', { FunctionName: 'x', Code: { ZipFile: ZIP64 }, Runtime: 'python3.12', Colour: 'red' }, 'InvalidRequestContentException', /Unrecognized field "Colour"/],
    ['a member of the wrong type', { FunctionName: 'x', Code: { ZipFile: ZIP64 }, Runtime: 'python3.12', Timeout: '3' }, 'InvalidRequestContentException', /Timeout/],
    ['a missing FunctionName', { Code: { ZipFile: ZIP64 }, Runtime: 'python3.12' }, 'ValidationException', /^1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null$/],
  ])('refuses %s', async (_what, body, name, message) => {
    const err = await fails(call('POST', F, { body }));
    expect(err.errorName).toBe(name);
    expect(err.message).toMatch(message);
  });

  it.each([
    [{ MemorySize: 100 }, 'ValidationException', "1 validation error detected: Value '100' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"],
    [{ MemorySize: 20000 }, 'InvalidParameterValueException', "'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to 10240"],
    [{ Timeout: 0, MemorySize: 64 }, 'ValidationException', /^2 validation errors detected: .*'timeout'.*; .*'memorySize'/],
    [{ Timeout: 901 }, 'ValidationException', /Value '901' at 'timeout' .* less than or equal to 900/],
    [{ EphemeralStorage: { Size: 100 } }, 'ValidationException', /at 'ephemeralStorage.size'/],
    [{ Runtime: 'cobol' }, 'ValidationException', /Value 'cobol' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: \[nodejs/],
    [{ Runtime: undefined }, 'InvalidParameterValueException', /Runtime/],
    [{ Handler: 'has space' }, 'ValidationException', /at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\^\\s\]\+/],
    [{ Role: 'admin' }, 'ValidationException', /at 'role'/],
    [{ Description: 'x'.repeat(257) }, 'ValidationException', /at 'description' .* length less than or equal to 256/],
    [{ FunctionName: 'bad name' }, 'ValidationException', /Value 'bad name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: \(arn:/],
    [{ FunctionName: 'x'.repeat(65) }, 'ValidationException', /length less than or equal to 64/],
    [{ FunctionName: 'hello:1' }, 'InvalidParameterValueException', /qualifier/],
    [{ Environment: { Variables: { AWS_REGION: 'x' } } }, 'InvalidParameterValueException', /reserved keys .* Reserved keys used in this request: AWS_REGION$/],
    [{ Environment: { Variables: { '1A': 'x' } } }, 'ValidationException', /Map keys must satisfy constraint/],
    // Lambda's key pattern needs two characters at least: a one-letter name is refused there too.
    [{ Environment: { Variables: { A: 'x' } } }, 'ValidationException', /Map keys must satisfy constraint/],
    [{ Environment: { Variables: { BIG: 'x'.repeat(4100) } } }, 'InvalidParameterValueException', /exceeded the 4KB limit/],
    [{ Code: { S3Bucket: 'b', S3Key: 'k' } }, 'InvalidParameterValueException', /only as ZipFile/],
    [{ Code: {} }, 'InvalidParameterValueException', /Please provide a source for function code/],
    [{ Code: { ZipFile: 'not base64!' } }, 'InvalidRequestContentException', /base64/],
    [{ Code: { ZipFile: Buffer.from('no zip').toString('base64') } }, 'InvalidParameterValueException', /^Could not unzip uploaded file/],
    [{ PackageType: 'Image' }, 'InvalidParameterValueException', /Zip only/],
    [{ Layers: ['arn:aws:lambda:us-east-1:000000000000:layer:x:1'] }, 'InvalidParameterValueException', /^Layer version arn:aws:lambda:us-east-1:000000000000:layer:x:1 does not exist/],
    [{ Architectures: [process.arch === 'arm64' ? 'x86_64' : 'arm64'] }, 'InvalidParameterValueException', /Architectures/],
    [{ LoggingConfig: { LogFormat: 'XML' } }, 'ValidationException', /at 'loggingConfig.logFormat'/],
    [{ Tags: { 'aws:x': '1' } }, 'InvalidParameterValueException', /reserved/],
  ])('refuses %j', async (over, name, message) => {
    const err = await fails(create(over));
    expect(err.errorName).toBe(name);
    if (typeof message === 'string') expect(err.message).toBe(message);
    else expect(err.message).toMatch(message);
    expect((await registry.list()).functions).toHaveLength(0); // bad input changes nothing
  });

  it('refuses an existing name with 409', async () => {
    await create({});
    const err = await fails(create({}));
    expect(err.errorName).toBe('ResourceConflictException');
    expect(err.message).toBe('Function already exist: hello');
  });
});

describe('reading', () => {
  beforeEach(async () => {
    await create({ Tags: { team: 'x' } });
  });

  it('GetFunction gives Configuration, a Code location serving the zip, and Tags', async () => {
    const res = await call('GET', `${F}/{name}`, { params: { name: 'hello' } });
    expect(res.json.Configuration.FunctionName).toBe('hello');
    expect(res.json.Code).toEqual({ RepositoryType: 'S3', Location: 'http://localhost:9000/2015-03-31/functions/hello/code-download' });
    expect(res.json.Tags).toEqual({ team: 'x' });
    const zip = await call('GET', `${F}/{name}/code-download`, { params: { name: 'hello' } });
    expect(zip.headers?.['content-type']).toBe('application/zip');
    expect(Object.keys(unzipSync(zip.body as Buffer))).toEqual(['lambda_function.py']);
  });

  it.each([
    'hello',
    'hello:$LATEST',
    '000000000000:function:hello',
    'arn:aws:lambda:us-east-1:000000000000:function:hello',
    'arn:aws:lambda:us-east-1:000000000000:function:hello:$LATEST',
  ])('finds the function named %s', async (name) => {
    const res = await call('GET', `${F}/{name}/configuration`, { params: { name } });
    expect(res.json.FunctionName).toBe('hello');
  });

  it('answers 404 with the ARN for a missing function or version', async () => {
    const err = await fails(call('GET', `${F}/{name}`, { params: { name: 'nope' } }));
    expect(err.errorName).toBe('ResourceNotFoundException');
    expect(err.message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope');
    const v = await fails(call('GET', `${F}/{name}`, { params: { name: 'hello' }, query: 'Qualifier=7' }));
    expect(v.message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:hello:7');
    const clash = await fails(call('GET', `${F}/{name}`, { params: { name: 'hello:1' }, query: 'Qualifier=2' }));
    expect(clash.errorName).toBe('InvalidParameterValueException');
  });

  it('refuses an ARN of another account', async () => {
    const err = await fails(call('GET', `${F}/{name}`, { params: { name: 'arn:aws:lambda:us-east-1:123456789012:function:hello' } }));
    expect(err.errorName).toBe('InvalidParameterValueException');
  });

  it('ListFunctions pages with Marker and MaxItems', async () => {
    for (const n of ['b', 'c', 'd']) await create({ FunctionName: n });
    const first = await call('GET', `${F}/`, { query: 'MaxItems=2' });
    expect(first.json.Functions.map((f: { FunctionName: string }) => f.FunctionName)).toEqual(['b', 'c']);
    const second = await call('GET', F, { query: `MaxItems=2&Marker=${encodeURIComponent(first.json.NextMarker)}` });
    expect(second.json.Functions.map((f: { FunctionName: string }) => f.FunctionName)).toEqual(['d', 'hello']);
    expect(second.json).not.toHaveProperty('NextMarker');
    const bad = await fails(call('GET', F, { query: 'MaxItems=0' }));
    expect(bad.errorName).toBe('ValidationException');
  });
});

describe('updating and deleting', () => {
  let revision: string;
  beforeEach(async () => {
    revision = (await create({ Environment: { Variables: { AA: '1' } } })).json.RevisionId;
  });

  it('UpdateFunctionCode replaces the code and retires environments', async () => {
    const zip = Buffer.from(zipSync({ 'lambda_function.py': strToU8('# v2') })).toString('base64');
    const res = await call('PUT', `${F}/{name}/code`, { params: { name: 'hello' }, body: { ZipFile: zip, RevisionId: revision } });
    expect(res.status).toBe(200);
    expect(res.json.RevisionId).not.toBe(revision);
    expect(res.json.CodeSha256).not.toBe(undefined);
    expect(changed).toEqual(['hello']);
  });

  it('UpdateFunctionCode with a stale RevisionId is 412 and changes nothing', async () => {
    await call('PUT', `${F}/{name}/configuration`, { params: { name: 'hello' }, body: { Timeout: 9 } });
    changed = [];
    const err = await fails(call('PUT', `${F}/{name}/code`, { params: { name: 'hello' }, body: { ZipFile: ZIP64, RevisionId: revision } }));
    expect(err.errorName).toBe('PreconditionFailedException');
    expect(changed).toEqual([]);
  });

  it('UpdateFunctionCode DryRun validates and changes nothing', async () => {
    const before = registry.get('hello');
    const res = await call('PUT', `${F}/{name}/code`, { params: { name: 'hello' }, body: { ZipFile: ZIP64, DryRun: true } });
    expect(res.json.RevisionId).toBe(revision);
    expect(registry.get('hello')).toBe(before);
    const err = await fails(
      call('PUT', `${F}/{name}/code`, { params: { name: 'hello' }, body: { ZipFile: Buffer.from('x').toString('base64'), DryRun: true } }),
    );
    expect(err.errorName).toBe('InvalidParameterValueException');
  });

  it('UpdateFunctionConfiguration changes only what it names', async () => {
    const res = await call('PUT', `${F}/{name}/configuration`, {
      params: { name: 'arn:aws:lambda:us-east-1:000000000000:function:hello' },
      body: { MemorySize: 256, LoggingConfig: { LogGroup: '/custom/group' }, LambkinSanitizeErrors: true },
    });
    expect(res.json).toMatchObject({
      MemorySize: 256,
      Timeout: 3,
      Environment: { Variables: { AA: '1' } },
      LoggingConfig: { LogFormat: 'Text', LogGroup: '/custom/group' },
      LambkinSanitizeErrors: true,
    });
    expect(changed).toEqual(['hello']);
    const cleared = await call('PUT', `${F}/{name}/configuration`, { params: { name: 'hello' }, body: { Environment: {} } });
    expect(cleared.json).not.toHaveProperty('Environment');
    expect(cleared.json.LoggingConfig.LogGroup).toBe('/custom/group');
  });

  it('UpdateFunctionConfiguration refuses bad input without changing anything', async () => {
    const before = registry.get('hello');
    for (const body of [{ Timeout: 0 }, { Runtime: 'java8' }, { Environment: { Variables: { _HANDLER: 'x' } } }, { FunctionName: 'x' }]) {
      await fails(call('PUT', `${F}/{name}/configuration`, { params: { name: 'hello' }, body }));
    }
    expect((await fails(call('PUT', `${F}/{name}/configuration`, { params: { name: 'hello:1' }, body: {} }))).errorName).toBe(
      'InvalidParameterValueException',
    );
    expect((await fails(call('PUT', `${F}/{name}/configuration`, { params: { name: 'nope' }, body: {} }))).errorName).toBe(
      'ResourceNotFoundException',
    );
    expect(registry.get('hello')).toBe(before);
    expect(changed).toEqual([]);
  });

  it('DeleteFunction answers 204, then the function is gone', async () => {
    const res = await call('DELETE', `${F}/{name}`, { params: { name: 'hello' } });
    expect(res.status).toBe(204);
    expect(changed).toEqual(['hello']);
    expect((await fails(call('GET', `${F}/{name}`, { params: { name: 'hello' } }))).errorName).toBe('ResourceNotFoundException');
    expect((await fails(call('DELETE', `${F}/{name}`, { params: { name: 'hello' } }))).errorName).toBe('ResourceNotFoundException');
  });
});

describe('parseFunctionName', () => {
  it.each([
    ['my-fn', { name: 'my-fn' }],
    ['my-fn:prod', { name: 'my-fn', qualifier: 'prod' }],
    ['000000000000:function:my-fn', { name: 'my-fn' }],
    ['arn:aws:lambda:us-east-1:000000000000:function:my_fn:$LATEST', { name: 'my_fn', qualifier: '$LATEST' }],
  ])('reads %s', (raw, expected) => {
    expect(parseFunctionName(new Arns(), raw)).toEqual(expected);
  });

  it('refuses a name outside the pattern with ValidationException', () => {
    expect(() => parseFunctionName(new Arns(), 'a/b')).toThrow(/Member must satisfy regular expression pattern/);
    expect(() => parseFunctionName(new Arns(), '')).toThrow(/greater than or equal to 1/);
  });
});
