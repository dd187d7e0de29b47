// An Event invocation that takes down every node that runs it (docs/cluster.md, "Async"): three
// `lambkin serve --cluster` nodes whose JetStream ack wait is 2 s and whose delivery cap is 2
// (LAMBKIN_ASYNC_ACK_WAIT_MS, LAMBKIN_ASYNC_MAX_DELIVERIES). The function starts, writes a line and
// hangs; the test kills with SIGKILL the node that runs it, twice — as a payload that crashes its
// node would. The third node is handed the event a third time, past the cap: it does not run it but
// keeps it as a dead letter saying why, which every surviving node lists.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres } from '../helpers/database.js';
import { environmentsHere, startCluster, type TestCluster } from '../helpers/cluster.js';
import type { Lambkin } from '../helpers/server.js';
import { NODE, PROCESS_SANDBOX, createFunction, waitFor } from '../helpers/functions.js';

const HANGS = {
  'lambda_function.js': `
const fs = require('node:fs');
exports.lambda_handler = async (event, context) => {
  fs.appendFileSync(process.env.OUT_DIR + '/started.log', context.awsRequestId + '\\n');
  await new Promise((r) => setTimeout(r, 20000));
  return 'never reached in this test';
};
`,
};

describePostgres('A poison Event invocation on a cluster', () => {
  let cluster: TestCluster;
  let out: string;

  const started = () => {
    const file = join(out, 'started.log');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  };

  /** The live node that runs an environment of the function now (the one that pulled the event). */
  async function runner(alive: Lambkin[]): Promise<Lambkin | undefined> {
    for (const n of alive) {
      const here = await environmentsHere(n, 'poison').catch(() => []);
      if (here.length > 0) return n;
    }
    return undefined;
  }

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'lambkin-cluster-poison-'));
    cluster = await startCluster({
      args: [...PROCESS_SANDBOX], env: { LAMBKIN_ASYNC_ACK_WAIT_MS: '2000', LAMBKIN_ASYNC_MAX_DELIVERIES: '2' },
    });
    await createFunction(cluster.nodes[0]!.lambda, 'poison', NODE, HANGS, { Timeout: 60, Environment: { Variables: { OUT_DIR: out } } });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('stops handing out an event whose runs kill their nodes: after the cap it is a dead letter, not run again', async () => {
    const alive = [...cluster.nodes];
    const res = await alive[0]!.lambda.send(new InvokeCommand({ FunctionName: 'poison', InvocationType: 'Event', Payload: Buffer.from('{"crash":true}') }));
    expect(res.StatusCode).toBe(202);
    const requestId = res.$metadata.requestId!;
    for (let run = 1; run <= 2; run++) {
      await waitFor(`run ${run} to start`, () => started().length === run || undefined, 60_000);
      const victim = await waitFor(`the node of run ${run}`, () => runner(alive), 30_000);
      await victim.kill();
      alive.splice(alive.indexOf(victim), 1);
    }
    const survivor = alive[0]!;
    const letters = await waitFor('the event to be kept as a dead letter', async () => {
      const page = await fetch(`${survivor.url}/lambkin/v1/functions/poison/dead-letters`);
      const body = (await page.json()) as { deadLetters: { requestId: string; condition: string; errorType?: string; errorMessage?: string; payload: string }[] };
      return body.deadLetters.length > 0 ? body.deadLetters : undefined;
    }, 60_000);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ requestId, condition: 'RetriesExhausted', errorType: 'Lambkin.DeliveryLimitExceeded', payload: '{"crash":true}' });
    expect(letters[0]!.errorMessage).toMatch(/handed to a node 2 times and never finished/);
    expect(started()).toEqual([requestId, requestId]); // never a third run
    expect(survivor.output()).toMatch(/kept as a dead letter \(Lambkin\.DeliveryLimitExceeded\)/);
    const depth = await fetch(`${survivor.url}/lambkin/v1/async-queue?function=poison`);
    expect(((await depth.json()) as { functions: unknown[] }).functions).toEqual([
      { name: 'poison', queued: 0, running: 0, deadLetters: 1, deadLettersDropped: 0 },
    ]);
  }, 240_000);
});
