// Malformed input to what a cluster adds (docs/cluster.md): junk published on the NATS subjects the
// nodes listen on for invocations — lambkin.node.<id>.invoke and lambkin.warm.<function>.… — and on
// the heartbeat subject and the environment list's peer calls, and malformed requests to the
// cluster's own API routes (GET /lambkin/v1/nodes, the cluster-wide environment list and stop). No node may crash, hang or run anything for it: afterwards every node still
// lists both, and invocations through each (one served by the other's warm environment) still run.
// And the direct links' listener (direct-serve.ts): connections without the key, with a wrong one,
// frames that lie about their size and junk requests after the right key.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect as connectTcp, type Socket } from 'node:net';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres } from '../helpers/database.js';
import { NODE, createFunction, invokeOk, probe, waitFor, type ProbeResult } from '../helpers/functions.js';
import { nodesAgree, startCluster, type TestCluster } from '../helpers/cluster.js';
import { decodeReply, encodeFrame, encodeRequest, stampUntil, type Reply } from '../../src/cluster/frame.js';
import { linkFrame, LinkReader } from '../../src/cluster/direct-wire.js';
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

/** Two nodes with function `fz` and a NATS connection of the test's own, for the suite's tests. */
function useTwoNodes(): { cluster: TestCluster; nc: NatsConnection } {
  const ctx = {} as { cluster: TestCluster; nc: NatsConnection };
  beforeAll(async () => {
    ctx.cluster = await startCluster({ nodes: 2 });
    await createFunction(ctx.cluster.nodes[0]!.lambda, 'fz', NODE, probe(NODE));
    ctx.nc = await connect({ servers: ctx.cluster.nats.url });
  }, 120_000);
  afterAll(async () => {
    await ctx.nc?.close();
    await ctx.cluster?.stop();
  });
  return ctx;
}

describePostgres('fuzz: what a cluster adds', () => {
  const ctx = useTwoNodes();

  it(`${FRAMES} junk messages on the invoke, warm and heartbeat subjects: no node crashes, hangs or runs them`, async () => {
    const { cluster, nc } = ctx;
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

/** A raw connection to a direct-link listener: what it answers, and whether (and when) it closed. */
function rawLink(port: number): Promise<{ socket: Socket; replies: Reply[]; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    const replies: Reply[] = [];
    const reader = new LinkReader((_token, body) => replies.push(decodeReply(body) ?? { t: 'failed', message: 'undecodable' }));
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, replies, closed }));
    socket.once('error', reject);
  });
}

describePostgres('fuzz: the direct links between nodes', () => {
  const ctx = useTwoNodes();

  it('without the key, with a wrong one, with frames that lie about their size or junk after the key: nothing runs, every node serves', async () => {
    const { cluster, nc } = ctx;
    const [a, b] = cluster.nodes;
    const first = await invokeOk<ProbeResult>(b!.lambda, 'fz'); // an environment on node-2
    const revisionId = (await b!.lambda.send(new GetFunctionCommand({ FunctionName: 'fz' }))).Configuration!.RevisionId!;
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:fz';
    const sound = (requestId: string) => {
      const wire = encodeRequest({ name: 'fz', version: '$LATEST', revisionId }, { requestId, invokedArn: arn, payload: Buffer.from('{}'), tail: false });
      stampUntil(wire, Date.now() + 60_000);
      return wire;
    };
    // A sound request over NATS (a client of the cluster's NATS may send one): its result says how
    // to reach node-2 directly. It ran: the environment's count is one more.
    const viaNats = decodeReply((await nc.request(warmSubject('fz', '$LATEST', revisionId), sound('fz-nats'), { timeout: 20_000, noMux: true })).data);
    expect(viaNats?.t).toBe('result');
    const via = viaNats?.t === 'result' ? viaNats.via : undefined;
    expect(via?.node).toBe('node-2');
    const key = Buffer.from(via!.key, 'hex');
    let ran = first.count + 1;

    const r = rng(17);
    // No key: junk of any length (shorter than a key: closed when the key's wait ends), or a sound frame alone.
    for (let i = 0; i < 12; i++) {
      const link = await rawLink(via!.port);
      const [head, body] = linkFrame(1, sound(`fz-nokey-${i}`));
      link.socket.write(i % 3 === 0 ? Buffer.concat([head, body]) : randomBytes(1 + Math.floor(r() * 100)));
      await link.closed;
      expect(link.replies).toEqual([]);
    }
    // A wrong key (one bit off), then a sound frame: closed, never run.
    const wrong = Buffer.from(key);
    wrong[5]! ^= 1;
    const bad = await rawLink(via!.port);
    bad.socket.write(Buffer.concat([wrong, ...linkFrame(1, sound('fz-wrong-key'))]));
    await bad.closed;
    expect(bad.replies).toEqual([]);
    // The right key, then a length past the bound or too short to hold a token: closed.
    for (const n of [0xffffffff, 64 * 1024 * 1024, 4, 0]) {
      const link = await rawLink(via!.port);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(n);
      link.socket.write(Buffer.concat([key, len, randomBytes(32)]));
      await link.closed;
      expect(link.replies).toEqual([]);
    }
    // The right key, then junk requests (cut, not JSON, wrong types, late, unknown versions,
    // replies): each answered "busy", never run; the link stays open.
    const link = await rawLink(via!.port);
    link.socket.write(key);
    const JUNK = 120;
    for (let i = 0; i < JUNK; i++) {
      const data = junk(r, revisionId);
      // A sound request for the real version (junk's case 10 cut short aside) would run: leave those to the end.
      link.socket.write(Buffer.concat(linkFrame(i, data)));
    }
    await waitFor(`${JUNK} answers on the direct link`, () => link.replies.length >= JUNK);
    expect(link.replies.filter((x) => x.t !== 'busy')).toEqual([]);
    // And a sound one on the same link runs (the key is all it takes, as a NATS client's request).
    link.socket.write(Buffer.concat(linkFrame(JUNK, sound('fz-direct'))));
    await waitFor('the sound request\'s answer', () => link.replies.length > JUNK);
    expect(link.replies[JUNK]?.t).toBe('result');
    ran++;
    link.socket.destroy();

    for (const node of cluster.nodes) expect(node.proc.exitCode).toBeNull();
    await nodesAgree(cluster.nodes, ['node-1', 'node-2']);
    expect((await invokeOk<ProbeResult>(a!.lambda, 'fz')).count).toBe(ran + 1);
    expect((await invokeOk<ProbeResult>(b!.lambda, 'fz')).count).toBe(ran + 2);
  });
});
