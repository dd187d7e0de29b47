// Versions and aliases through the real AWS SDK: PublishVersion (immutable snapshots, no empty
// versions), ListVersionsByFunction, Publish on create/update, invoking name:N / qualified ARN /
// ?Qualifier= / name:alias with the version that ran reported everywhere (ExecutedVersion,
// context.functionVersion, log stream), aliases CRUD, weighted routing, and deleting versions.
import {
  CreateAliasCommand, CreateFunctionCommand, DeleteAliasCommand, DeleteFunctionCommand, GetAliasCommand, GetFunctionConfigurationCommand,
  InvokeCommand, ListAliasesCommand, ListVersionsByFunctionCommand, PublishVersionCommand, UpdateAliasCommand,
  UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, type LambdaClient,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { zip } from '../helpers/zip.js';
import { NODE, ROLE, createFunction, probe, type ProbeResult } from '../helpers/functions.js';
import { failure } from '../helpers/failure.js';

let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin();
});
afterAll(async () => {
  await lk?.stop();
});

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

async function run(lambda: LambdaClient, name: string, qualifier?: string, event: unknown = {}) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: qualifier, Payload: Buffer.from(JSON.stringify(event)) }));
  const body = JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as ProbeResult & { env?: Record<string, string> };
  return { executed: out.ExecutedVersion, error: out.FunctionError, body };
}


describe('versions', () => {
  it('publishes immutable numbered snapshots, and no new version while nothing changed', async () => {
    const name = 'ver-publish';
    await createFunction(lk.lambda, name, NODE, probe(NODE, 'v1'));
    const v1 = await lk.lambda.send(new PublishVersionCommand({ FunctionName: name, Description: 'first' }));
    expect(v1.Version).toBe('1');
    expect(v1.FunctionArn).toBe(`${ARN}:${name}:1`);
    expect(v1.Description).toBe('first');
    const again = await lk.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    expect(again.Version).toBe('1');
    expect(again.RevisionId).toBe(v1.RevisionId);

    await lk.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip(probe(NODE, 'v2')) }));
    const v2 = await lk.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    expect(v2.Version).toBe('2');
    expect(v2.CodeSha256).not.toBe(v1.CodeSha256);
    // A configuration change alone is a change too.
    await lk.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { MODE: 'three' } } }));
    const v3 = await lk.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    expect(v3.Version).toBe('3');

    const listed = await lk.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
    expect(listed.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1', '2', '3']);
    const conf1 = await lk.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: '1' }));
    expect(conf1.Version).toBe('1');
    expect(conf1.CodeSha256).toBe(v1.CodeSha256);

    // Published versions keep what they were: $LATEST changes, version 3 does not.
    await lk.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { MODE: 'latest' } } }));
    expect((await run(lk.lambda, name, '3', { op: 'env' })).body.env?.MODE).toBe('three');
    expect((await run(lk.lambda, name, undefined, { op: 'env' })).body.env?.MODE).toBe('latest');

    const stale = await failure(lk.lambda.send(new PublishVersionCommand({ FunctionName: name, RevisionId: v1.RevisionId })));
    expect(stale.name).toBe('PreconditionFailedException');
    const wrongSha = await failure(lk.lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: v1.CodeSha256 })));
    expect(wrongSha.name).toBe('InvalidParameterValueException');
  });

  it('invokes name:N, a qualified ARN and ?Qualifier=, reporting the version that ran everywhere', async () => {
    const name = 'ver-invoke';
    await createFunction(lk.lambda, name, NODE, probe(NODE, 'v1'), { Publish: true });
    await lk.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip(probe(NODE, 'v2')), Publish: true }));
    await lk.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip(probe(NODE, 'v3')) }));

    const byName = await run(lk.lambda, `${name}:1`);
    expect(byName.body.version).toBe('v1');
    expect(byName.executed).toBe('1');
    expect(byName.body.context.functionVersion).toBe('1');
    expect(byName.body.context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[1\][0-9a-f]{32}$/);
    expect(byName.body.context.invokedFunctionArn).toBe(`${ARN}:${name}:1`);

    const byArn = await run(lk.lambda, `${ARN}:${name}:2`);
    expect(byArn.body.version).toBe('v2');
    expect(byArn.executed).toBe('2');
    expect(byArn.body.context.logStreamName).toContain('/[2]');

    const byQuery = await run(lk.lambda, name, '2');
    expect(byQuery.body.version).toBe('v2');

    const latest = await run(lk.lambda, name);
    expect(latest.body.version).toBe('v3');
    expect(latest.executed).toBe('$LATEST');
    expect(latest.body.context.functionVersion).toBe('$LATEST');
    expect(latest.body.context.logStreamName).toContain('/[$LATEST]');
    // Versions never share environments.
    const streams = [byName, byArn, latest].map((r) => r.body.context.logStreamName);
    expect(new Set(streams).size).toBe(3);

    const missing = await failure(run(lk.lambda, name, '9'));
    expect(missing.name).toBe('ResourceNotFoundException');
  });

  it('answers Publish: true on CreateFunction and UpdateFunctionCode with the new version', async () => {
    const name = 'ver-publish-flag';
    const created = await lk.lambda.send(new CreateFunctionCommand({
      FunctionName: name, Runtime: NODE.runtime, Role: ROLE, Handler: 'lambda_function.lambda_handler',
      Code: { ZipFile: zip(probe(NODE, 'v1')) }, Publish: true,
    }));
    expect(created.Version).toBe('1');
    const updated = await lk.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip(probe(NODE, 'v2')), Publish: true }));
    expect(updated.Version).toBe('2');
    expect((await run(lk.lambda, name, '2')).body.version).toBe('v2');
  });

  it('deletes one version with a qualifier (not while an alias points at it), and all without', async () => {
    const name = 'ver-delete';
    await createFunction(lk.lambda, name, NODE, probe(NODE, 'v1'), { Publish: true });
    await lk.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip(probe(NODE, 'v2')), Publish: true }));
    await lk.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '2' }));

    const refused = await failure(lk.lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: '2' })));
    expect(refused.name).toBe('ResourceConflictException');
    expect(refused.$metadata?.httpStatusCode).toBe(409);
    expect(refused.message).toContain('live');

    await lk.lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: '1' }));
    const listed = await lk.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
    expect(listed.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '2']);
    expect((await failure(run(lk.lambda, name, '1'))).name).toBe('ResourceNotFoundException');
    expect((await run(lk.lambda, name, 'live')).body.version).toBe('v2');
    // Numbers are never reused.
    await lk.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip(probe(NODE, 'v3')) }));
    expect((await lk.lambda.send(new PublishVersionCommand({ FunctionName: name }))).Version).toBe('3');

    await lk.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    expect((await failure(run(lk.lambda, name, 'live'))).name).toBe('ResourceNotFoundException');
    expect((await failure(lk.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name })))).name).toBe('ResourceNotFoundException');
  });
});

describe('aliases', () => {
  it('creates, reads, lists, updates and deletes aliases', async () => {
    const name = 'alias-crud';
    await createFunction(lk.lambda, name, NODE, probe(NODE, 'v1'), { Publish: true });
    await lk.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip(probe(NODE, 'v2')), Publish: true }));

    const created = await lk.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'prod', FunctionVersion: '1', Description: 'production' }));
    expect(created.AliasArn).toBe(`${ARN}:${name}:prod`);
    expect(created.FunctionVersion).toBe('1');
    const dup = await failure(lk.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'prod', FunctionVersion: '2' })));
    expect(dup.name).toBe('ResourceConflictException');
    const bad = await failure(lk.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'nope', FunctionVersion: '7' })));
    expect(bad.name).toBe('ResourceNotFoundException');
    await lk.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'edge', FunctionVersion: '$LATEST' }));

    const got = await lk.lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'prod' }));
    expect(got.Description).toBe('production');
    const listed = await lk.lambda.send(new ListAliasesCommand({ FunctionName: name }));
    expect(listed.Aliases?.map((a) => a.Name)).toEqual(['edge', 'prod']);

    const run1 = await run(lk.lambda, name, 'prod');
    expect(run1.body.version).toBe('v1');
    expect(run1.executed).toBe('1');
    expect(run1.body.context.invokedFunctionArn).toBe(`${ARN}:${name}:prod`);

    const stale = await failure(lk.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'prod', FunctionVersion: '2', RevisionId: 'not-it' })));
    expect(stale.name).toBe('PreconditionFailedException');
    const moved = await lk.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'prod', FunctionVersion: '2', RevisionId: got.RevisionId }));
    expect(moved.FunctionVersion).toBe('2');
    expect(moved.Description).toBe('production');
    expect((await run(lk.lambda, `${name}:prod`)).body.version).toBe('v2');

    await lk.lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: 'prod' }));
    expect((await failure(lk.lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'prod' })))).name).toBe('ResourceNotFoundException');
    expect((await failure(run(lk.lambda, name, 'prod'))).name).toBe('ResourceNotFoundException');
  });

  it('routes about 20 % of 1,000 invokes to the additional version', async () => {
    const name = 'alias-weighted';
    await createFunction(lk.lambda, name, NODE, probe(NODE, 'v1'), { Publish: true });
    await lk.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip(probe(NODE, 'v2')), Publish: true }));
    const alias = await lk.lambda.send(new CreateAliasCommand({
      FunctionName: name, Name: 'canary', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } },
    }));
    expect(alias.RoutingConfig?.AdditionalVersionWeights).toEqual({ '2': 0.2 });
    const refused = await failure(lk.lambda.send(new UpdateAliasCommand({
      FunctionName: name, Name: 'canary', FunctionVersion: '$LATEST', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } },
    })));
    expect(refused.name).toBe('InvalidParameterValueException');

    const counts = { '1': 0, '2': 0 } as Record<string, number>;
    const TOTAL = 1000;
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < TOTAL) {
        next++;
        const r = await run(lk.lambda, name, 'canary');
        expect(r.body.version).toBe(`v${r.executed}`); // the header names the version that ran
        counts[r.executed!]!++;
      }
    }));
    expect(counts['1']! + counts['2']!).toBe(TOTAL);
    console.log(`weighted alias: ${counts['2']} of ${TOTAL} invokes ran version 2 (weight 0.2)`);
    expect(counts['2']).toBeGreaterThanOrEqual(150);
    expect(counts['2']).toBeLessThanOrEqual(250);

    // Clearing the routing config sends everything to the main version again.
    await lk.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'canary', RoutingConfig: { AdditionalVersionWeights: {} } }));
    for (let i = 0; i < 20; i++) expect((await run(lk.lambda, name, 'canary')).executed).toBe('1');
  }, 180_000); // 1,000 invokes: generous for a machine shared with other test runs
});
