// The control-plane answers as @aws-sdk/client-lambda reads them. The real server (server.ts) is
// not used here: a few lines below route requests to the operations and write errors in the form
// docs/lambda-contracts.md §2 gives, so that the field names and statuses are checked against the real SDK.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListFunctionsCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  paginateListFunctions,
} from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/errors.js';
import { controlPlaneRoutes } from '../../src/api/lambda/routes.js';
import { Registry } from '../../src/registry/registry.js';

let dir: string;
let registry: Registry;
let server: Server;
let lambda: LambdaClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambkin-sdk-'));
  registry = await Registry.open(dir);
  const routes = controlPlaneRoutes({ registry, onFunctionChanged: () => {} });
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const segs = url.pathname.split('/');
    let params: Record<string, string> = {};
    const route = routes.find((r) => {
      const pat = r.pattern.split('/');
      if (r.method !== req.method || pat.length !== segs.length) return false;
      params = {};
      return pat.every((p, i) => {
        if (p !== '{name}') return p === segs[i];
        params.name = decodeURIComponent(segs[i] ?? '');
        return true;
      });
    });
    try {
      if (!route) throw new ApiError('ResourceNotFoundException', `no route ${req.method} ${url.pathname}`);
      const out = await route.operation({
        method: req.method ?? 'GET', path: url.pathname, params, query: url.searchParams,
        headers: req.headers, body: Buffer.concat(chunks), requestId: 'r',
      });
      const body = out.body === undefined ? '' : Buffer.isBuffer(out.body) || typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
      res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers }).end(body);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError('ServiceException', String(err));
      res.writeHead(e.status, { 'content-type': 'application/json', 'x-amzn-errortype': e.errorName })
        .end(JSON.stringify({ Type: e.kind, message: e.message }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  lambda = new LambdaClient({
    endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  lambda.destroy();
  await new Promise((resolve) => server.close(resolve));
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

const ZIP = zipSync({ 'lambda_function.py': strToU8('def lambda_handler(e, c):\n    return e\n') });

describe('with @aws-sdk/client-lambda', () => {
  it('creates, reads, lists, updates and deletes', async () => {
    const created = await lambda.send(new CreateFunctionCommand({
      FunctionName: 'sdk-fn', Runtime: 'python3.12', Role: 'arn:aws:iam::000000000000:role/x',
      Handler: 'lambda_function.lambda_handler', Code: { ZipFile: ZIP },
      Environment: { Variables: { GREETING: 'hi' } }, Tags: { team: 'a' },
    }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({
      FunctionName: 'sdk-fn', Runtime: 'python3.12', Version: '$LATEST', State: 'Active', PackageType: 'Zip',
      Environment: { Variables: { GREETING: 'hi' } }, EphemeralStorage: { Size: 512 }, MemorySize: 128, Timeout: 3,
      LoggingConfig: { LogFormat: 'Text', LogGroup: '/aws/lambda/sdk-fn' },
    });
    expect(created.CodeSize).toBe(ZIP.length);

    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:sdk-fn' }));
    expect(got.Configuration?.RevisionId).toBe(created.RevisionId);
    expect(got.Code?.Location).toMatch(/\/2015-03-31\/functions\/sdk-fn\/code-download$/);
    expect(got.Tags).toEqual({ team: 'a' });

    for (let i = 0; i < 3; i++) {
      await lambda.send(new CreateFunctionCommand({ FunctionName: `page-${i}`, Runtime: 'nodejs20.x', Role: created.Role, Code: { ZipFile: ZIP } }));
    }
    const names: string[] = [];
    for await (const page of paginateListFunctions({ client: lambda, pageSize: 2 }, {})) {
      names.push(...(page.Functions ?? []).map((f) => f.FunctionName ?? ''));
    }
    expect(names).toEqual(['page-0', 'page-1', 'page-2', 'sdk-fn']);
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions).toHaveLength(4);

    const code = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'sdk-fn', ZipFile: zipSync({ 'a.py': strToU8('') }), RevisionId: created.RevisionId }));
    const conf = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'sdk-fn', Timeout: 10, RevisionId: code.RevisionId }));
    expect(conf.Timeout).toBe(10);
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'sdk-fn' }))).CodeSha256).toBe(code.CodeSha256);

    const deleted = await lambda.send(new DeleteFunctionCommand({ FunctionName: 'sdk-fn' }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
  });

  it('surfaces errors by name, with the message', async () => {
    const missing = await lambda.send(new GetFunctionCommand({ FunctionName: 'nope' })).catch((e: Error) => e);
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope', Type: 'User' });
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'twice', Runtime: 'python3.12', Role: 'arn:aws:iam::000000000000:role/x', Code: { ZipFile: ZIP } }));
    const twice = await lambda.send(new CreateFunctionCommand({ FunctionName: 'twice', Runtime: 'python3.12', Role: 'arn:aws:iam::000000000000:role/x', Code: { ZipFile: ZIP } })).catch((e: Error) => e);
    expect(twice).toMatchObject({ name: 'ResourceConflictException', message: 'Function already exist: twice' });
    const stale = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'twice', RevisionId: 'old' })).catch((e: Error) => e);
    expect(stale).toMatchObject({ name: 'PreconditionFailedException' });
    const small = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'twice', MemorySize: 1 })).catch((e: Error) => e);
    expect(small).toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/^1 validation error detected: Value '1' at 'memorySize'/) });
    const badZip = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'twice', ZipFile: strToU8('nope') })).catch((e: Error) => e);
    expect(badZip).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringMatching(/^Could not unzip uploaded file/) });
  });
});
