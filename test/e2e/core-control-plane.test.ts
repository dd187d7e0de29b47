// The control plane through the real AWS SDK against a real server: create, read, list (paged),
// update, delete, DryRun, and API errors raised as the SDK's typed exceptions.
import { createHash } from 'node:crypto';
import {
  CreateFunctionCommand, DeleteFunctionCommand, GetFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand,
  ListFunctionsCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, paginateListFunctions,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { zip } from '../helpers/zip.js';
import {
  NODE, PYTHON, RUNTIME_CASES, ROLE, createFunction, environmentGone, invoke, probe, waitFor,
} from '../helpers/functions.js';
import { failure } from '../helpers/failure.js';

let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin();
});
afterAll(async () => {
  await lk?.stop();
});

/** The error a promise rejects with (fails the test if it resolves). */

describe('functions', () => {
  it.each(RUNTIME_CASES)('creates a $label function with Lambda\'s configuration shape, and invokes it', async (rt) => {
    const files = probe(rt);
    const bytes = zip(files);
    const { lambda } = lk;
    const created = await lambda.send(new CreateFunctionCommand({
      FunctionName: `shape-${rt.label}`, Runtime: rt.runtime, Role: ROLE, Handler: 'lambda_function.lambda_handler',
      Code: { ZipFile: bytes }, Description: 'made by a test',
    }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({
      FunctionName: `shape-${rt.label}`, FunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:shape-${rt.label}`,
      Runtime: rt.runtime, Handler: 'lambda_function.lambda_handler', Role: ROLE, Description: 'made by a test',
      Timeout: 3, MemorySize: 128, Version: '$LATEST', State: 'Active', LastUpdateStatus: 'Successful',
      PackageType: 'Zip', CodeSize: bytes.length,
      CodeSha256: createHash('sha256').update(bytes).digest('base64'),
    });
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(created.RevisionId).toBeTruthy();

    const got = await lambda.send(new GetFunctionCommand({ FunctionName: `shape-${rt.label}` }));
    const { $metadata: _, ...configuration } = created;
    expect(got.Configuration).toEqual(configuration);
    expect(got.Code?.Location).toMatch(/^http:\/\//);
    const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: `shape-${rt.label}` }));
    expect(cfg.RevisionId).toBe(created.RevisionId);
    expect(cfg.FunctionArn).toBe(created.FunctionArn);

    const res = await invoke(lambda, `shape-${rt.label}`, { hi: 1 });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(1);
  });

  it('pages ListFunctions with MaxItems and Marker', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `page-${i}`);
    for (const n of names) await createFunction(lk.lambda, n, NODE);
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await lk.lambda.send(new ListFunctionsCommand({ MaxItems: 3, Marker: marker }));
      expect(page.Functions!.length).toBeLessThanOrEqual(3);
      seen.push(...page.Functions!.map((f) => f.FunctionName!));
      marker = page.NextMarker;
      pages++;
    } while (marker);
    const paged = seen.filter((n) => n.startsWith('page-'));
    expect(paged).toEqual(names); // ordered by name, each once
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBeGreaterThanOrEqual(3);

    const viaPaginator: string[] = [];
    for await (const page of paginateListFunctions({ client: lk.lambda, pageSize: 2 }, {})) {
      viaPaginator.push(...page.Functions!.map((f) => f.FunctionName!));
    }
    expect(viaPaginator).toEqual(seen);
  });

  it('updates code and configuration, and refuses a stale RevisionId', async () => {
    const name = 'updatable';
    await createFunction(lk.lambda, name, PYTHON, probe(PYTHON, 'v1'));
    const before = await lk.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    const v2 = zip(probe(PYTHON, 'v2'));
    const updated = await lk.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: v2 }));
    expect(updated.CodeSha256).toBe(createHash('sha256').update(v2).digest('base64'));
    expect(updated.RevisionId).not.toBe(before.RevisionId);
    expect((await invoke(lk.lambda, name)).body.version).toBe('v2');

    const reconfigured = await lk.lambda.send(new UpdateFunctionConfigurationCommand({
      FunctionName: name, Timeout: 7, MemorySize: 512, Description: 'now bigger', Environment: { Variables: { AB: '1' } },
    }));
    expect(reconfigured).toMatchObject({ Timeout: 7, MemorySize: 512, Description: 'now bigger', Environment: { Variables: { AB: '1' } } });
    expect(reconfigured.CodeSha256).toBe(updated.CodeSha256);
    const ctx = (await invoke(lk.lambda, name)).body.context;
    expect(ctx.memoryLimitInMB).toBe('512');

    const stale = await failure(lk.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 9, RevisionId: before.RevisionId })));
    expect(stale.name).toBe('PreconditionFailedException');
    expect(stale.$metadata.httpStatusCode).toBe(412);
    expect((await lk.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).Timeout).toBe(7);
  });

  it('deletes a function: its warm environment stops and every call then says ResourceNotFoundException', async () => {
    const name = 'doomed';
    await createFunction(lk.lambda, name, NODE);
    const stream = (await invoke(lk.lambda, name)).body.context.logStreamName as string;
    const deleted = await lk.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    await waitFor('the deleted function\'s environment to end', () => environmentGone(lk.dataDir, stream));
    for (const call of [
      () => lk.lambda.send(new GetFunctionCommand({ FunctionName: name })),
      () => lk.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') })),
      () => lk.lambda.send(new DeleteFunctionCommand({ FunctionName: name })),
    ]) {
      const err = await failure(call());
      expect(err.name).toBe('ResourceNotFoundException');
      expect(err.$metadata.httpStatusCode).toBe(404);
      expect(err.Type).toBe('User');
      expect(err.message).toContain(name);
    }
  });

  it('refuses a duplicate CreateFunction with 409 ResourceConflictException and keeps the first', async () => {
    await createFunction(lk.lambda, 'twice', NODE, probe(NODE, 'first'));
    const err = await failure(createFunction(lk.lambda, 'twice', NODE, probe(NODE, 'second')));
    expect(err.name).toBe('ResourceConflictException');
    expect(err.$metadata.httpStatusCode).toBe(409);
    expect((await invoke(lk.lambda, 'twice')).body.version).toBe('first');
  });

  it('answers Invoke DryRun with 204 without running the function', async () => {
    await createFunction(lk.lambda, 'dry', NODE);
    const dry = await lk.lambda.send(new InvokeCommand({ FunctionName: 'dry', InvocationType: 'DryRun', Payload: Buffer.from('{}') }));
    expect(dry.StatusCode).toBe(204);
    expect(dry.FunctionError).toBeUndefined();
    expect((await invoke(lk.lambda, 'dry')).body.count).toBe(1);
    const missing = await failure(lk.lambda.send(new InvokeCommand({ FunctionName: 'no-such-fn', InvocationType: 'DryRun' })));
    expect(missing.name).toBe('ResourceNotFoundException');
  });
});
