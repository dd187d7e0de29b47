// Event invocations on a cluster (docs/cluster.md, "Async"): three `lambkin serve --cluster` nodes on
// one PostgreSQL database and one private nats-server. An event accepted by one node runs on any,
// with its retries, its destination and its dead letter, seen through every node. Then the kill
// test: 500 events accepted through two nodes, and while they run, `kill -9` of the node that
// accepted half of them and of a node that only ran them: every accepted event completes at least
// once (its id appended to a file by the function itself, synchronously, before it returns — log
// lines are not used to count, since a killed node's last unflushed batch may hold lines of events
// that did finish); events that ran more than once are counted and printed, not failed.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres } from '../helpers/database.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import type { NatsServer } from '../helpers/nats-server.js';
import type { Lambkin } from '../helpers/server.js';
import { NODE, PROCESS_SANDBOX, createFunction, waitFor } from '../helpers/functions.js';

const EVENTS = 500;
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

// Appends each event's id to <OUT_DIR>/<function>.log once it has done its work; fails if asked to.
const RECORDER = {
  'lambda_function.js': `
const fs = require('node:fs');
exports.lambda_handler = async (event, context) => {
  // One at a time? A second run while a first holds the lock file leaves a line saying so.
  const lock = process.env.OUT_DIR + '/' + context.functionName + '.lock';
  let locked = false;
  if (event.exclusive) {
    try { fs.closeSync(fs.openSync(lock, 'wx')); locked = true; } catch { fs.appendFileSync(process.env.OUT_DIR + '/' + context.functionName + '.log', 'OVERLAP\\n'); }
  }
  if (event.sleep) await new Promise((r) => setTimeout(r, event.sleep));
  if (locked) fs.unlinkSync(lock);
  fs.appendFileSync(process.env.OUT_DIR + '/' + context.functionName + '.log', (event.id || context.awsRequestId) + '\\n');
  if (event.fail) throw new Error('failing on purpose');
  return { done: event.id };
};
`,
};

describePostgres('Event invocations on a cluster', () => {
  let cluster: TestCluster;
  let nats: NatsServer;
  let out: string;
  let nodes: Lambkin[] = [];

  function lines(name: string): string[] {
    const file = join(out, `${name}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  }

  async function queue(n: Lambkin, name: string, event: unknown): Promise<string> {
    const res = await n.lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) }));
    expect(res.StatusCode).toBe(202);
    return res.$metadata.requestId!;
  }

  async function deadLetters(n: Lambkin, name: string): Promise<{ id: string; attempts: number; condition: string }[]> {
    const res = await fetch(`${n.url}/lambkin/v1/functions/${name}/dead-letters`);
    return ((await res.json()) as { deadLetters: { requestId: string; attempts: number; condition: string }[] }).deadLetters
      .map((l) => ({ id: l.requestId, attempts: l.attempts, condition: l.condition }));
  }

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'lambkin-cluster-async-'));
    cluster = await startCluster({ args: [...PROCESS_SANDBOX, '--async-retry-delays', '50,100', '--async-concurrency', '4'] });
    ({ nats, nodes } = cluster);
    // Made through one node: a change reaches every node before its call answers.
    const a = nodes[0]!;
    const env = { Environment: { Variables: { OUT_DIR: out } } };
    for (const name of ['flaky', 'source', 'dest', 'quick', 'paused', 'other', 'limited', 'busy']) await createFunction(a.lambda, name, NODE, RECORDER, env);
    await a.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'paused', ReservedConcurrentExecutions: 0 }));
    await a.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'limited', ReservedConcurrentExecutions: 1 }));
    await a.lambda.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: 'source', MaximumRetryAttempts: 0, DestinationConfig: { OnSuccess: { Destination: `${ARN}:dest` } },
    }));
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('runs an event accepted by one node with its retries, then keeps its dead letter for every node to list and redrive', async () => {
    const [a, b, c] = nodes;
    const requestId = await queue(b!, 'flaky', { fail: true });
    await waitFor('the event to become a dead letter', async () => (await deadLetters(c!, 'flaky')).length === 1 || undefined, 60_000);
    expect(lines('flaky')).toEqual([requestId, requestId, requestId]); // the first try and 2 retries
    expect(await deadLetters(a!, 'flaky')).toEqual([{ id: requestId, attempts: 3, condition: 'RetriesExhausted' }]);
    const redrive = await fetch(`${a!.url}/lambkin/v1/functions/flaky/dead-letters/redrive`, { method: 'POST' });
    expect(redrive.status).toBe(200);
    await waitFor('the redriven event to fail three times more', () => lines('flaky').length === 6, 60_000);
    await waitFor('it to be a dead letter again', async () => (await deadLetters(b!, 'flaky')).length === 1 || undefined, 60_000);
  });

  it('delivers a finished event\'s record to its destination function', async () => {
    const requestId = await queue(nodes[2]!, 'source', { id: 'to-dest' });
    await waitFor('the destination to run', () => lines('dest').length === 1, 60_000);
    expect(lines('source')).toEqual(['to-dest']);
    expect(lines('dest')).toHaveLength(1);
    expect(lines('dest')[0]).not.toBe(requestId); // the destination's own event, with its own request id
  });

  it('a paused function\'s backlog, larger than every node\'s hold together, does not stall another function\'s events', async () => {
    // Each node holds 32 events at most (8 x --async-concurrency 4): 150 would fill all three holds.
    for (let i = 0; i < 150; i++) await queue(nodes[i % 3]!, 'paused', { id: `p-${i}` });
    await queue(nodes[1]!, 'other', { id: 'behind-the-backlog' });
    await waitFor('the other function\'s event to run', () => lines('other').length === 1, 60_000);
    expect(lines('paused')).toEqual([]); // reserved concurrency 0: none of them ran
  }, 90_000);

  it('holds reserved concurrency cluster-wide for Event invocations: never two runs at once of a function reserved 1', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) ids.push(`l-${i}`);
    // Through all three nodes; every node pulls them, each may run 4 events of a function at once.
    for (const [i, id] of ids.entries()) await queue(nodes[i % 3]!, 'limited', { id, exclusive: true, sleep: 200 });
    await waitFor('every event to run', () => ids.every((id) => lines('limited').includes(id)) || undefined, 90_000);
    expect(lines('limited').filter((l) => l === 'OVERLAP')).toEqual([]);
    expect(lines('limited').filter((l) => l !== 'OVERLAP').sort()).toEqual([...ids].sort()); // each ran once (throttles are not attempts)
  }, 120_000);

  it('runs another function\'s event while a busy function\'s backlog is still being worked down', async () => {
    // 120 events of 1 s: 12 run at once in the cluster (3 nodes x 4), so the backlog takes 10 s at least.
    for (let i = 0; i < 120; i++) await queue(nodes[i % 3]!, 'busy', { id: `b-${i}`, sleep: 1_000 });
    await queue(nodes[2]!, 'other', { id: 'after-the-busy-backlog' });
    await waitFor('the other function\'s event to run', () => lines('other').includes('after-the-busy-backlog') || undefined, 60_000);
    expect(lines('busy').length).toBeLessThan(120); // it did not wait for the backlog
    // One node's depth counts what every node runs: more than the 4 one node may run at once.
    await waitFor('node-1 to count more running events than one node runs', async () => {
      const res = await fetch(`${nodes[0]!.url}/lambkin/v1/async-queue?function=busy`);
      const [busy] = ((await res.json()) as { functions: { queued: number; running: number }[] }).functions;
      expect(lines('busy').length).toBeLessThan(120); // still under way
      return (busy?.running ?? 0) > 4 || undefined;
    }, 60_000);
    await waitFor('the backlog to be done', () => lines('busy').length === 120 || undefined, 120_000);
  }, 180_000);

  it('counts the queue cluster-wide through any node: events waiting in the stream, running on any node, dead letters', async () => {
    for (let i = 0; i < 6; i++) await queue(nodes[i % 3]!, 'paused', { id: `count-${i}` });
    for (const n of nodes) {
      await waitFor(`${n.url} to count them`, async () => {
        const res = await fetch(`${n.url}/lambkin/v1/async-queue?function=paused`);
        const body = (await res.json()) as { functions: { queued: number; running: number }[] };
        return body.functions[0]?.queued === 156 || undefined; // and the 150 of the paused backlog before
      }, 30_000);
    }
    const res = await fetch(`${nodes[1]!.url}/lambkin/v1/async-queue?function=flaky`);
    expect(((await res.json()) as { functions: { deadLetters: number }[] }).functions[0]?.deadLetters).toBe(1);
  }, 60_000);

  it('keeps consuming after NATS was away: an event accepted before the outage and one after both run', async () => {
    // Running (1 s, within the default 3 s timeout) or still in the stream when NATS goes: either way it must run.
    await queue(nodes[0]!, 'other', { id: 'before-outage', sleep: 1_000 });
    await nats.pause();
    await new Promise((r) => setTimeout(r, 2_000)); // an outage, not a blip (the nodes notice it)
    await nats.resume();
    await waitFor('every node to be back on NATS', () => nodes.every((n) => /NATS connection back/.test(n.output())) || undefined, 30_000);
    // A node answers 503 until it has reloaded after NATS came back: the client tries again, as an SDK would.
    await waitFor('an event to be accepted again', async () => (await queue(nodes[2]!, 'other', { id: 'after-outage' }).catch(() => undefined)) ?? undefined, 30_000);
    await waitFor('both events to run', () => ['before-outage', 'after-outage'].every((id) => lines('other').includes(id)) || undefined, 90_000);
  }, 150_000);

  it(`runs every one of ${EVENTS} accepted events at least once across kill -9 of the node that accepted them and of another`, async () => {
    const [a, b, c] = nodes;
    const accepted: string[] = [];
    let next = 0;
    // Through a and b in turn, 20 in flight.
    await Promise.all(Array.from({ length: 20 }, async (_, lane) => {
      const via = lane % 2 ? b! : a!;
      while (next < EVENTS) {
        const id = `e-${next++}`;
        await queue(via, 'quick', { id, sleep: 100 });
        accepted.push(id);
      }
    }));
    expect(accepted).toHaveLength(EVENTS);
    await waitFor('some events to complete', () => lines('quick').length >= 60 || undefined, 60_000);
    await a!.kill(); // accepted half of them
    await c!.kill(); // only ran them
    const atKill = new Set(lines('quick')).size;
    console.log(`cluster kill -9: ${accepted.length} accepted through 2 nodes; ${atKill} completed when node-1 and node-3 died`);
    expect(atKill).toBeLessThan(EVENTS); // the kills landed while events were pending

    // What the dead nodes held goes to node-2 once JetStream's ack wait (30 s) has passed.
    await waitFor('every accepted event to complete', () => {
      const done = new Set(lines('quick'));
      return accepted.every((id) => done.has(id)) || undefined;
    }, 200_000);
    const runs = new Map<string, number>();
    for (const id of lines('quick')) runs.set(id, (runs.get(id) ?? 0) + 1);
    const twice = [...runs.values()].filter((n) => n > 1).length;
    console.log(`cluster kill -9: all ${accepted.length} events completed at least once; ${twice} ran more than once`);
    for (const id of accepted) expect(runs.get(id)).toBeGreaterThanOrEqual(1);
    expect([...runs.keys()].sort()).toEqual([...accepted].sort()); // nothing ran that was not accepted
    expect(b!.proc.exitCode).toBeNull();
  }, 300_000);
});
