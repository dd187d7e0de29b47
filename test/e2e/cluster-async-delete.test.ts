// A deleted function's place in the async stream goes with it (docs/cluster.md, "Async"): its
// JetStream consumer and its queued events are removed, once, whichever node the delete went
// through — also when two nodes delete it at once — and a function recreated under the same name
// right after keeps its own consumer and events. Checked by asking JetStream itself (jsm API).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteFunctionCommand, InvokeCommand, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres } from '../helpers/database.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import type { Lambkin } from '../helpers/server.js';
import { NODE, PROCESS_SANDBOX, createFunction, probe, waitFor } from '../helpers/functions.js';

const STREAM = 'LAMBKIN_ASYNC';

describePostgres('cluster async: deleted functions', () => {
  let cluster: TestCluster;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-async-delete-'));
  writeFileSync(join(dir, 'release'), ''); // the probe's "hold" only marks that it ran
  const ran = () => readdirSync(dir).filter((f) => f.endsWith('.started')).length;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, args: [...PROCESS_SANDBOX] });
    nc = await connect({ servers: cluster.nats.url });
    jsm = await nc.jetstreamManager();
  }, 120_000);
  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const consumer = (fn: string) => jsm.consumers.info(STREAM, `lambkin-async-${fn}`).then(() => true, () => false);
  /** Messages of the function's events in the stream (its subjects). */
  const queued = async (fn: string) => {
    const info = await jsm.streams.info(STREAM, { subjects_filter: `lambkin.async.${fn}.>` });
    return Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
  };
  const event = (n: Lambkin, fn: string, body: unknown = {}) =>
    n.lambda.send(new InvokeCommand({ FunctionName: fn, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(body)) }));

  it('deleted through the other node: its consumer and queued events are gone', async () => {
    const [a, b] = cluster.nodes as [Lambkin, Lambkin];
    await createFunction(a.lambda, 'gone', NODE, probe(NODE));
    // Paused: its events stay queued in the stream.
    await a.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'gone', ReservedConcurrentExecutions: 0 }));
    for (let i = 0; i < 5; i++) expect((await event(a, 'gone')).StatusCode).toBe(202);
    expect(await consumer('gone')).toBe(true);
    expect(await queued('gone')).toBe(5);
    await b.lambda.send(new DeleteFunctionCommand({ FunctionName: 'gone' }));
    await waitFor('the consumer of gone to be removed', async () => !(await consumer('gone')));
    await waitFor('the queued events of gone to be removed', async () => (await queued('gone')) === 0);
    await waitFor('the removal to be logged', () => /gone was deleted: its consumer lambkin-async-gone and 5 queued event/.test(cluster.nodes.map((n) => n.output()).join('')));
    // The other node's pull loop of it ended on the notice, without an error.
    expect(cluster.nodes.map((n) => n.output()).join('')).not.toMatch(/pulling gone's events stopped/);
  });

  it('deleted through both nodes at once: removed once, no error', async () => {
    const [a, b] = cluster.nodes as [Lambkin, Lambkin];
    await createFunction(a.lambda, 'raced', NODE, probe(NODE));
    await event(b, 'raced', { op: 'hold', dir });
    await waitFor('its event to run', () => ran() === 1);
    const outcomes = await Promise.allSettled([a, b].map((n) => n.lambda.send(new DeleteFunctionCommand({ FunctionName: 'raced' }))));
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as Error).name).toBe('ResourceNotFoundException');
    await waitFor('the consumer of raced to be removed', async () => !(await consumer('raced')));
    const output = () => cluster.nodes.map((n) => n.output()).join('');
    await waitFor('the removal to be logged', () => output().includes('raced was deleted'));
    expect(output().match(/raced was deleted/g)).toHaveLength(1);
    expect(output()).not.toMatch(/queued events of deleted raced stay/);
  });

  it('recreated under the same name right after: the new function keeps its consumer and its events run', async () => {
    const [a, b] = cluster.nodes as [Lambkin, Lambkin];
    await createFunction(a.lambda, 'again', NODE, probe(NODE));
    await a.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'again', ReservedConcurrentExecutions: 0 }));
    await event(a, 'again');
    const deletedAt = Date.now();
    await a.lambda.send(new DeleteFunctionCommand({ FunctionName: 'again' }));
    await createFunction(b.lambda, 'again', NODE, probe(NODE));
    const before = ran();
    expect((await event(b, 'again', { op: 'hold', dir })).StatusCode).toBe(202);
    await waitFor('the new function\'s event to run', () => ran() === before + 1);
    // The clean-up's second pass (5 s after the delete) leaves the new function alone too.
    await waitFor('the second clean-up pass to be due', () => Date.now() - deletedAt > 6_000, 10_000);
    expect(await consumer('again')).toBe(true);
    expect((await event(a, 'again', { op: 'hold', dir })).StatusCode).toBe(202);
    await waitFor('the next event to run', () => ran() === before + 2);
    expect(await consumer('again')).toBe(true);
  });
});
