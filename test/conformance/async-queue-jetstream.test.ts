// The AsyncQueue conformance suite against a cluster's queue (cluster/async-stream.ts): events in a
// private nats-server's JetStream (a stream of its own per case), dead letters in PostgreSQL (a
// schema of its own per case). Each open is a node: it pulls from the case's per-function consumers. As a
// node only claims what the stream handed to it, this runner's claim waits (5 s at most) for the
// event to be handed over or to be gone. Then the JetStream queue's own cases: how events move
// between nodes (one at a time, given back at close, taken over from a node that died).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { PostgresAsyncQueue } from '../../src/scheduler/async-queue-postgres.js';
import { ASYNC_QUEUE_MIGRATIONS } from '../../src/scheduler/async-queue-postgres-schema.js';
import type { AsyncQueue, QueuedEvent } from '../../src/scheduler/async-queue.js';
import { JetStreamAsyncQueue, type JetStreamQueueOptions } from '../../src/cluster/async-stream.js';
import { subjectOf, type StreamNames } from '../../src/cluster/async-stream-wire.js';
import { natsServerAvailable, startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { waitFor } from '../helpers/functions.js';
import { asyncQueueConformance, type QueueStore } from './async-queue-cases.js';
import { event } from './async-queue-harness.js';
import { withPostgres, type Schema } from './postgres-stand-in.js';

let nats: NatsServer;
let nc: NatsConnection;
let streams = 0;

const available = natsServerAvailable();
if (available) {
  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
  }, 30_000);
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });
}

/** claim waits for the event to be handed to this node, or to be gone from the stream. */
function waitingClaims(q: JetStreamAsyncQueue, names: StreamNames): AsyncQueue {
  const gone = async (e: QueuedEvent) => {
    const jsm = await nc.jetstreamManager();
    return jsm.streams.getMessage(names.stream, { last_by_subj: subjectOf(names, e.functionName, e.id) }).then(() => false, () => true);
  };
  const claim = async (e: QueuedEvent) => {
    const until = Date.now() + 5_000;
    while (!q.holds(e.id) && Date.now() < until && !(await gone(e))) await new Promise((r) => setTimeout(r, 20));
    return q.claim(e);
  };
  return new Proxy(q, {
    get: (target, prop) => {
      if (prop === 'claim') return claim;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

interface JsStore extends QueueStore {
  node(options?: JetStreamQueueOptions, connection?: NatsConnection): Promise<JetStreamAsyncQueue>;
}

function storeOn(schema: Schema): JsStore {
  const k = ++streams;
  const names: StreamNames = { stream: `TEST_ASYNC_${k}`, prefix: `test${k}.async`, consumer: `test-${k}` };
  let opens = 0;
  const node = async (options: JetStreamQueueOptions = {}, connection = nc) => {
    const letters = await PostgresAsyncQueue.open(schema.db, { node: `node-${opens++}`, ...(options as object) });
    const q = await JetStreamAsyncQueue.open(connection, letters, { names, ackWaitMs: 5_000, maxHeld: 1_000, maxPerFunction: 1_000, ...options });
    q.deliver(() => undefined);
    return q;
  };
  return {
    node,
    open: async (options) => waitingClaims(await node(options as JetStreamQueueOptions), names),
    remove: async () => {
      await (await nc.jetstreamManager()).streams.delete(names.stream).catch(() => undefined);
      await schema.remove();
    },
  };
}

if (!available) {
  // In CI a skip would hide that the cluster's queue went untested: there it fails.
  const why = 'nats-server is not installed: apt-get install nats-server (see .ci/run)';
  if (process.env.CI === 'true') it('AsyncQueue conformance: jetstream', () => { throw new Error(`CI=true but ${why}`); });
  else describe.skip('AsyncQueue conformance: jetstream', () => it(why, () => undefined));
} else {
  withPostgres('AsyncQueue conformance: jetstream', (fresh) => {
    asyncQueueConformance({
      name: 'jetstream', shared: true, delivers: true,
      fresh: async () => storeOn(await fresh(ASYNC_QUEUE_MIGRATIONS.steps)),
    });

    describe('JetStream queue: events between nodes', () => {
      it('hands each event to one node at a time; a node\'s close gives its events to another at once', async () => {
        const s = storeOn(await fresh(ASYNC_QUEUE_MIGRATIONS.steps));
        const seen = new Map<string, string[]>();
        const a = await s.node();
        const b = await s.node();
        a.deliver((e) => seen.set(e.id, [...(seen.get(e.id) ?? []), 'a']));
        b.deliver((e) => seen.set(e.id, [...(seen.get(e.id) ?? []), 'b']));
        try {
          const ids: string[] = [];
          for (let i = 0; i < 20; i++) ids.push((await a.enqueue(event('f'))).id);
          await waitFor('all 20 handed out', async () => ids.every((id) => a.holds(id) || b.holds(id)));
          for (const id of ids) expect(a.holds(id) && b.holds(id)).toBe(false);
          for (const id of ids) expect(seen.get(id)).toHaveLength(1);
          const atA = ids.filter((id) => a.holds(id));
          await a.close();
          // Given back (nak) at close: b takes them long before the 5 s ack wait would.
          const started = Date.now();
          await waitFor('b to hold every event', async () => ids.every((id) => b.holds(id)));
          expect(Date.now() - started).toBeLessThan(5_000);
          for (const id of atA) expect(seen.get(id)).toEqual(['a', 'b']);
        } finally {
          await a.close();
          await b.close();
          await s.remove();
        }
      });

      it('a node that died (no word, no close) loses its events to another once the ack wait is over; none is lost', async () => {
        const s = storeOn(await fresh(ASYNC_QUEUE_MIGRATIONS.steps));
        const own = await connect({ servers: nats.url });
        const dead = await s.node({ ackWaitMs: 1_000 }, own);
        const ids: string[] = [];
        for (let i = 0; i < 10; i++) ids.push((await dead.enqueue(event('f'))).id);
        await waitFor('the node to hold its events', async () => ids.every((id) => dead.holds(id)));
        await own.close(); // it "dies": its connection is gone, its messages were never acked
        const other = await s.node({ ackWaitMs: 1_000 });
        try {
          await waitFor('another node to hold every event', async () => ids.every((id) => other.holds(id)));
          const payloads = await Promise.all(ids.map((id) => other.claim({ ...stub, id })));
          expect(payloads.every((p) => p !== undefined)).toBe(true);
        } finally {
          await other.close();
          await dead.close().catch(() => undefined);
          await s.remove();
        }
      });

      it('moves events a single-node run left in PostgreSQL into the stream at open, and hands them to the node', async () => {
        const schema = await fresh(ASYNC_QUEUE_MIGRATIONS.steps);
        const single = await PostgresAsyncQueue.open(schema.db, { node: 'single' });
        const left = await single.enqueue(event('left-behind', Buffer.from('from before')));
        const s = storeOn(schema);
        const q = await s.node();
        try {
          const seen: string[] = [];
          q.deliver((e) => seen.push(e.id));
          await waitFor('the event to be handed to the node', async () => seen.includes(left.id));
          expect((await q.claim({ ...stub, functionName: 'left-behind', id: left.id }))?.toString()).toBe('from before');
          expect(await single.pending()).toEqual([]);
        } finally {
          await q.close();
          await single.close();
          await s.remove();
        }
      });

      it('pulls each function on its own: a backlog that fills a node\'s hold for one function does not keep another\'s event from it', async () => {
        const s = storeOn(await fresh(ASYNC_QUEUE_MIGRATIONS.steps));
        const q = await s.node({ maxPerFunction: 4 });
        try {
          const busy: string[] = [];
          for (let i = 0; i < 50; i++) busy.push((await q.enqueue(event('busy'))).id);
          await waitFor('the node to hold 4 of the backlog', async () => busy.filter((id) => q.holds(id)).length === 4);
          const other = await q.enqueue(event('other'));
          await waitFor('the other function\'s event to be held too', async () => q.holds(other.id));
          expect(busy.filter((id) => q.holds(id))).toHaveLength(4); // never more than its share
        } finally {
          await q.close();
          await s.remove();
        }
      });

      it('counts every unfinished event per function, held or not, at any node', async () => {
        const s = storeOn(await fresh(ASYNC_QUEUE_MIGRATIONS.steps));
        const a = await s.node({ maxPerFunction: 2 });
        const b = await s.node({ maxPerFunction: 2 });
        try {
          const fs = [];
          for (let i = 0; i < 7; i++) fs.push(await a.enqueue(event('f')));
          for (let i = 0; i < 2; i++) await b.enqueue(event('g'));
          await waitFor('both nodes to hold their share of f', async () => fs.filter((e) => a.holds(e.id) || b.holds(e.id)).length === 4);
          expect(Object.fromEntries(await b.counts())).toEqual({ f: 7, g: 2 });
          const held = fs.find((e) => a.holds(e.id))!;
          await a.claim(held);
          await a.finish(held);
          expect(Object.fromEntries(await a.counts())).toEqual({ f: 6, g: 2 });
          // A retry not due for a minute is given back to the stream with a delay: still counted, once.
          const later = fs.find((e) => a.holds(e.id))!;
          await a.claim(later);
          later.attempts = 1;
          later.nextAt = Date.now() + 60_000;
          await a.retry(later);
          await waitFor('the retry to be given back', async () => !a.holds(later.id) && !b.holds(later.id));
          expect(Object.fromEntries(await b.counts())).toEqual({ f: 6, g: 2 });
        } finally {
          await a.close();
          await b.close();
          await s.remove();
        }
      });

      it('keeps an event handed out more than maxDeliveries times, never finished, as a dead letter saying so', async () => {
        const s = storeOn(await fresh(ASYNC_QUEUE_MIGRATIONS.steps));
        const opts = { ackWaitMs: 1_000, maxDeliveries: 2 };
        const connections: NatsConnection[] = [];
        const dyingNode = async () => {
          const own = await connect({ servers: nats.url });
          connections.push(own);
          return { own, q: await s.node(opts, own) };
        };
        let last: JetStreamAsyncQueue | undefined;
        try {
          // Two nodes take it in turn and die without a word (as if its payload crashed them).
          const first = await dyingNode();
          const e = await first.q.enqueue(event('poison', Buffer.from('{"crash":true}')));
          await waitFor('the first node to hold it', async () => first.q.holds(e.id));
          await first.own.close();
          const second = await dyingNode();
          await waitFor('the second node to hold it, after the ack wait', async () => second.q.holds(e.id));
          await second.own.close();
          // The third delivery is past the cap: kept as a dead letter, not run.
          last = await s.node(opts);
          await waitFor('the event to be kept as a dead letter', async () => (await last!.deadLetters('poison')).letters.length === 1);
          const [letter] = (await last.deadLetters('poison')).letters;
          expect(letter!.id).toBe(e.id);
          expect(letter!.errorType).toBe('Lambkin.DeliveryLimitExceeded');
          expect(letter!.errorMessage).toMatch(/handed to a node 2 times and never finished/);
          expect(letter!.payload.toString()).toBe('{"crash":true}');
          expect(last.holds(e.id)).toBe(false);
          await waitFor('the stream to be empty of it', async () => (await last!.counts()).size === 0);
        } finally {
          await last?.close();
          for (const c of connections) await c.close().catch(() => undefined);
          await s.remove();
        }
      });
    });
  });
}

const stub: QueuedEvent = { seq: 0, id: '', functionName: 'f', qualifier: '', enqueuedAt: 0, attempts: 0, nextAt: 0, throttles: 0 };
