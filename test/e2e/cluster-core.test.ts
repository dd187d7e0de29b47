// Any node, any operation (docs/cluster.md, "Changes"): a function created through node A is
// invocable, listable, updatable and deletable through node B at once — a change answers only
// once every node has taken it in, so the very next call through another node sees it and no
// invocation anywhere runs the superseded code. Logs and stats are the cluster's, whichever node
// ran the invocation and whichever node is asked.
import {
  CreateAliasCommand, DeleteFunctionCommand, GetFunctionCommand, ListFunctionsCommand, PublishVersionCommand,
  UpdateAliasCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NODE, createFunction, invoke, probe, waitFor } from '../helpers/functions.js';
import { describePostgres } from '../helpers/database.js';
import { environmentsHere, startCluster, type TestCluster } from '../helpers/cluster.js';
import { runCli } from '../helpers/cli.js';
import { zip } from '../helpers/zip.js';
import type { Lambkin } from '../helpers/server.js';

const LOGGER = {
  'lambda_function.js': "exports.lambda_handler = async (e) => { console.log('line from', e.via); return e.via; };",
};

describePostgres('any node, any operation', () => {
  let cluster: TestCluster;
  let a: Lambkin;
  let b: Lambkin;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
    [a, b] = cluster.nodes as [Lambkin, Lambkin];
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('created through A: invocable, listed and described through B at once', async () => {
    await createFunction(a.lambda, 'anywhere', NODE, probe(NODE, 'v1'));
    expect((await invoke(b.lambda, 'anywhere')).body.version).toBe('v1');
    const listed = await b.lambda.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.map((f) => f.FunctionName)).toContain('anywhere');
    expect((await b.lambda.send(new GetFunctionCommand({ FunctionName: 'anywhere' }))).Configuration?.Runtime).toBe('nodejs20.x');
  });

  it('code updated through one node: the next invoke through any node runs the new code, never the old', async () => {
    // Both nodes hold a warm environment of the code that is about to be replaced.
    expect((await invoke(a.lambda, 'anywhere')).body.version).toBe('v1');
    expect((await invoke(b.lambda, 'anywhere')).body.version).toBe('v1');
    for (const [i, writer, reader] of [[2, a, b], [3, b, a], [4, a, b], [5, b, b], [6, a, a]] as const) {
      await writer.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'anywhere', ZipFile: zip(probe(NODE, `v${i}`)) }));
      expect((await invoke(reader.lambda, 'anywhere')).body.version).toBe(`v${i}`);
      expect((await invoke(writer === a ? b.lambda : a.lambda, 'anywhere')).body.version).toBe(`v${i}`);
    }
  });

  it('configuration, versions and aliases changed through one node hold through the other at once', async () => {
    await b.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'anywhere', Environment: { Variables: { COLOUR: 'blue' } } }));
    const env = await invoke<{ env: Record<string, string> }>(a.lambda, 'anywhere', { op: 'env' });
    expect(env.body.env.COLOUR).toBe('blue');

    const v1 = await a.lambda.send(new PublishVersionCommand({ FunctionName: 'anywhere' }));
    await b.lambda.send(new CreateAliasCommand({ FunctionName: 'anywhere', Name: 'live', FunctionVersion: v1.Version! }));
    expect((await invoke(a.lambda, 'anywhere', {}, { qualifier: 'live' })).body.context.functionVersion).toBe(v1.Version);

    await a.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'anywhere', ZipFile: zip(probe(NODE, 'v7')) }));
    const v2 = await b.lambda.send(new PublishVersionCommand({ FunctionName: 'anywhere' }));
    await a.lambda.send(new UpdateAliasCommand({ FunctionName: 'anywhere', Name: 'live', FunctionVersion: v2.Version! }));
    const viaAlias = await invoke(b.lambda, 'anywhere', {}, { qualifier: 'live' });
    expect(viaAlias.body).toMatchObject({ version: 'v7', context: { functionVersion: v2.Version } });
  });

  it('logs and stats show the invocations of every node, asked through any node', async () => {
    await createFunction(b.lambda, 'logger', NODE, LOGGER);
    for (let i = 0; i < 3; i++) {
      await invoke(a.lambda, 'logger', { via: 'node-1' });
      await invoke(b.lambda, 'logger', { via: 'node-2' });
    }
    const lines = async (node: Lambkin) => {
      const out = await node.logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/logger', filterPattern: '"line from"' }));
      return (out.events ?? []).map((e) => e.message!.trim().split('\t').pop()!);
    };
    await waitFor('six lines through node-1', async () => (await lines(a)).length === 6);
    expect((await lines(b)).sort()).toEqual([...Array(3).fill('line from node-1'), ...Array(3).fill('line from node-2')]);

    const cli = await runCli(b.url, 'logs', 'logger');
    expect(cli.code).toBe(0);
    expect(cli.stdout.match(/line from node-1/g)?.length).toBe(3);
    expect(cli.stdout.match(/line from node-2/g)?.length).toBe(3);

    const stats = await waitFor('stats of six invocations', async () => {
      const r = await runCli(a.url, 'stats', 'logger', '--json');
      const parsed = JSON.parse(r.stdout) as { invocations: number; coldStarts: number };
      return parsed.invocations === 6 && parsed;
    });
    // Warm affinity (docs/cluster.md, Dispatch): sequential invokes through either node share one environment.
    expect(stats.coldStarts).toBe(1);

    // The console's numbers (its in-memory rollup) count the other node's invocations too, on each node.
    for (const node of [a, b]) {
      const row = await waitFor(`the console of ${node.url} to count six`, async () => {
        const overview = (await (await fetch(`${node.url}/lambkin/v1/overview?window=1h`)).json()) as { functions: { functionName: string; invocations: number; coldStarts: number }[] };
        const logger = overview.functions.find((f) => f.functionName === 'logger');
        return logger?.invocations === 6 && logger;
      });
      expect(row.coldStarts).toBe(1);
    }
  });

  it("the console's live tail on each node shows the lines of the node that ran them", async () => {
    // One warm environment serves both nodes (warm affinity): one of the two tails sees only
    // another node's lines, which that node sends over NATS only while a tail is open somewhere.
    const tails = await Promise.all([a, b].map((node) => openTail(node.url, 'logger')));
    try {
      let round = 0;
      // Each round's lines are new: a round invoked before the tail's word reached the other node is not waited for.
      await waitFor('both tails to show a line run through each node', async () => {
        round++;
        await invoke(a.lambda, 'logger', { via: `tail-a-${round}` });
        await invoke(b.lambda, 'logger', { via: `tail-b-${round}` });
        await new Promise((r) => setTimeout(r, 1500)); // a batch is written every 250-500 ms
        return tails.every((t) => t.text().includes(`line from tail-a-${round}`) && t.text().includes(`line from tail-b-${round}`));
      }, 30_000);
    } finally {
      for (const t of tails) t.close();
    }
  });

  it('deleted through B: gone through A at once, its environments on A stopped', async () => {
    expect((await invoke(a.lambda, 'logger', { via: 'node-1' })).body).toBe('node-1');
    const envsOnA = () => environmentsHere(a, 'logger');
    expect((await envsOnA()).length).toBe(1);
    await b.lambda.send(new DeleteFunctionCommand({ FunctionName: 'logger' }));
    const err = await a.lambda.send(new GetFunctionCommand({ FunctionName: 'logger' })).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ name: 'ResourceNotFoundException' });
    const invokeErr = await invoke(a.lambda, 'logger').catch((e: unknown) => e as Error);
    expect(invokeErr).toMatchObject({ name: 'ResourceNotFoundException' });
    await waitFor('the environment on node-1 to stop', async () => (await envsOnA()).length === 0);
  });
});

/** The console's live tail (GET /lambkin/v1/tail, server-sent events) of `fn`, open once its `ready` arrived. */
async function openTail(url: string, fn: string): Promise<{ text: () => string; close: () => void }> {
  const abort = new AbortController();
  const res = await fetch(`${url}/lambkin/v1/tail?function=${fn}`, { signal: abort.signal });
  expect(res.status).toBe(200);
  let text = '';
  const decoder = new TextDecoder();
  const reader = res.body!.getReader();
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      text += decoder.decode(value, { stream: true });
    }
  })().catch(() => undefined);
  await waitFor(`the tail of ${url} to be ready`, () => text.includes('event: ready'));
  return { text: () => text, close: () => abort.abort() };
}
