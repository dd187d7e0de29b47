// Malformed input to what a cluster adds (docs/cluster.md): junk published on the NATS subjects the
// nodes listen on for invocations — lambkin.node.<id>.invoke and lambkin.warm.<function>.… — and on
// the heartbeat subject and the environment list's peer calls, and malformed requests to the
// cluster's own API routes (GET /lambkin/v1/nodes, the cluster-wide environment list and stop). No node may crash, hang or run anything for it: afterwards every node still
// lists both, and invocations through each (one served by the other's warm environment) still run.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres } from '../helpers/database.js';
import { NODE, createFunction, invokeOk, probe, type ProbeResult } from '../helpers/functions.js';
import { nodesAgree, startCluster, type TestCluster } from '../helpers/cluster.js';
import { encodeFrame, encodeRequest, stampUntil } from '../../src/cluster/frame.js';
import { warmSubject } from '../../src/cluster/subjects.js';
import { fuzzRequest, makePayloads, rng, type Rng } from './fuzz-cases.js';

const FRAMES = 300;

/** A frame-shaped or shapeless message: what a confused or hostile publisher might send. */
function junk(r: Rng, revisionId: string): Uint8Array {
  const len = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const input = { requestId: `fz-${Math.floor(r() * 1e9)}`, payload: Buffer.from('{}'), invokedArn: 'arn:aws:lambda:us-east-1:000000000000:function:fz', tail: false };
  const valid = () => {
    const wire = encodeRequest({ name: 'fz', version: '$LATEST', revisionId }, input);
    stampUntil(wire, Date.now() + 60_000);
    return Buffer.from(wire);
  };
  switch (Math.floor(r() * 12)) {
    case 0: return new Uint8Array(0);
    case 1: return randomBytes(1 + Math.floor(r() * 64));
    case 2: return Buffer.concat([len(0xffffffff), randomBytes(16)]); // a header longer than the message
    case 3: return Buffer.concat([len(5), Buffer.alloc(8), Buffer.from('{"fn"')]); // cut JSON
    case 4: return encodeFrame([1, 2, 3], undefined, 8); // JSON, but not an object
    case 5: return encodeFrame({ fn: { name: 7, version: null }, input: 'x' }, randomBytes(32), 8); // wrong types
    case 6: return encodeFrame({ fn: { name: 'fz', version: '$LATEST', revisionId }, input: { requestId: {}, invokedArn: [] } }, undefined, 8);
    case 7: { // a sound request past its deadline (or with none that is a number): never started
      const wire = valid();
      stampUntil(wire, r() < 0.5 ? Date.now() - 10_000 : Number.NaN);
      return wire;
    }
    case 8: { // a sound request for a function or revision no node has
      const wire = encodeRequest({ name: r() < 0.5 ? 'no-such-fn' : 'fz', version: r() < 0.5 ? '$LATEST' : '99', revisionId: 'stale' }, input);
      stampUntil(wire, Date.now() + 60_000);
      return wire;
    }
    case 9: return encodeFrame({ t: 'result', result: { requestId: 'x' } }, randomBytes(8)); // a reply where a request belongs
    case 10: return Buffer.concat([valid().subarray(0, 20 + Math.floor(r() * 40))]); // a sound request cut short
    default: return Buffer.from(JSON.stringify({ id: 'node-9', url: 'http://x', junk: randomBytes(8).toString('hex') }));
  }
}

function getStatus(url: string, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<number | string> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const h: Record<string, string | number> = { ...headers };
    if (body) h['content-length'] = body.length;
    const req = request({ host: u.hostname, port: u.port, method, path, headers: h }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve('reset'));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
    req.end(body);
  });
}

describePostgres('fuzz: what a cluster adds', () => {
  let cluster: TestCluster;
  let nc: NatsConnection;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
    await createFunction(cluster.nodes[0]!.lambda, 'fz', NODE, probe(NODE));
    nc = await connect({ servers: cluster.nats.url });
  }, 120_000);
  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  it(`${FRAMES} junk messages on the invoke, warm and heartbeat subjects: no node crashes, hangs or runs them`, async () => {
    const [a, b] = cluster.nodes;
    // An environment on node-2: node-2 now holds fz's warm subject.
    const first = await invokeOk<ProbeResult>(b!.lambda, 'fz');
    const revisionId = (await b!.lambda.send(new GetFunctionCommand({ FunctionName: 'fz' }))).Configuration!.RevisionId!;
    const subjects = [
      'lambkin.node.node-1.invoke', 'lambkin.node.node-2.invoke', warmSubject('fz', '$LATEST', revisionId),
      warmSubject('fz', '$LATEST', 'stale'), 'lambkin.warm.fz', 'lambkin.nodes.heartbeat',
      // The environment list's peer calls: junk there must not stop an environment or a node.
      'lambkin.peer.environments.list', 'lambkin.peer.environments.stop',
    ];
    const r = rng(16);
    const replies: Promise<unknown>[] = [];
    for (let i = 0; i < FRAMES; i++) {
      const subject = subjects[i % subjects.length]!;
      const data = junk(r, revisionId);
      const kind = r();
      if (kind < 0.4) {
        // With a reply inbox: whatever comes back (or nothing) is fine; the node must not fall over.
        replies.push(nc.request(subject, data, { timeout: 500, noMux: true }).catch(() => undefined));
      } else if (kind < 0.5) {
        // A reply subject aimed at another node's invoke subject: its answer is junk to that node.
        nc.publish(subject, data, { reply: 'lambkin.node.node-1.invoke' });
      } else if (kind < 0.55) {
        const h = natsHeaders();
        h.set('x', 'y'.repeat(200));
        nc.publish(subject, data, { headers: h });
      } else {
        nc.publish(subject, data);
      }
    }
    await nc.flush();
    await Promise.all(replies);

    // Malformed requests to the cluster's own route and the cluster-wide environment list, on both nodes: answered, never 5xx.
    const payloads = makePayloads();
    const routes = [
      { method: 'GET', pattern: '/lambkin/v1/nodes' }, { method: 'GET', pattern: '/lambkin/v1/environments' },
      { method: 'DELETE', pattern: '/lambkin/v1/environments/{id}' },
    ];
    for (const node of cluster.nodes) {
      for (let i = 0; i < 60; i++) {
        const req = fuzzRequest(r, routes[i % routes.length]!, payloads, false);
        const status = await getStatus(node.url, req.method, req.path, req.headers, req.body);
        if (typeof status === 'number') expect(status, `${req.method} ${req.path.slice(0, 120)} [${req.kind}]`).toBeLessThan(500);
        else expect(req.protocolError, `${req.method} ${req.path.slice(0, 120)} [${req.kind}]: ${status}`).toBe(true);
      }
    }

    // Both alive, both see both (no phantom node from a junk heartbeat), and both serve: through
    // node-1 the invocation runs on node-2's warm environment (the same one: its count goes on,
    // so no junk request ran on it), and through node-2 locally.
    for (const node of cluster.nodes) expect(node.proc.exitCode).toBeNull();
    await nodesAgree(cluster.nodes, ['node-1', 'node-2']);
    const remote = await invokeOk<ProbeResult>(a!.lambda, 'fz');
    expect(remote.context.logStreamName).toBe(first.context.logStreamName);
    expect(remote.count).toBe(first.count + 1);
    expect((await invokeOk<ProbeResult>(b!.lambda, 'fz')).count).toBe(first.count + 2);
  });
});
