// What the other nodes wrote to the log store, as it is written (docs/cluster.md, "Logs"): every
// node publishes each batch its store writes (its environments' lines and invocation records) on
// lambkin.logs.written, and hears the others'. The live tails (the console's and StartLiveTail)
// and the console's in-memory numbers listen to this merged feed, so that they show every node's
// invocations; what must happen once per line — storing it, subscription filters, recorded
// payloads — keeps listening to the node's own store only. Stored lines and records are in
// PostgreSQL already: a batch lost on NATS is missing only from live views, never from queries.
//
// Reads: a node writes its lines in batches (every 250-500 ms); on one server a read first writes
// what is queued, so that a caller reads what it just caused. On a cluster the invocation may
// have run on another node: before a read, every node writes what it has queued (a flush asked
// over NATS, bounded by 1 s), then the read goes to PostgreSQL.
import type { NatsConnection } from 'nats';
import type { Batch, LogReader } from '../logs/index.js';
import type { PeerCalls } from './peer-calls.js';

export const WRITTEN_SUBJECT = 'lambkin.logs.written';
/** A batch larger than this (JSON) goes out in parts: NATS messages are at most max_payload (≥ 7 MB). */
const MAX_MESSAGE = 4 * 1024 * 1024;

export interface LogFeed {
  /** The node's store; its reads come after every node has written what it had queued. */
  readonly synced: LogReader;
  /** The same, but onWritten also hears the other nodes' batches. */
  readonly reader: LogReader;
  close(): void;
}

/** The LogReader operations that read (or change) what is stored: each waits for the cluster-wide flush. */
const READS = new Set([
  'describeGroup', 'describeGroups', 'describeStreams', 'getStreamEvents', 'filterEvents', 'countEvents', 'requestEvents',
  'getInvocation', 'invocations', 'errorGroups', 'stats', 'scanRecords', 'setRetention', 'createGroup', 'groupTags', 'tagGroup',
  'deleteGroup', 'putSubscriptionFilter', 'subscriptionFilters', 'deleteSubscriptionFilter', 'flush',
]);
const FLUSH = 'logs.flush';

export function clusterLogFeed(local: LogReader, connection: NatsConnection, self: string, peers: PeerCalls): LogFeed {
  peers.serve(FLUSH, async () => {
    await local.flush();
    return true;
  });
  const flushEverywhere = async () => {
    await Promise.all([local.flush(), peers.askAll(FLUSH, {})]);
  };
  const encoder = new TextEncoder();
  const listeners = new Set<(batch: Batch) => void>();
  const send = (batch: Batch): void => {
    const body = encoder.encode(JSON.stringify({ from: self, ...batch }));
    if (body.length <= MAX_MESSAGE || batch.events.length < 2) {
      if (body.length <= MAX_MESSAGE) connection.publish(WRITTEN_SUBJECT, body);
      return; // one line over the bound (it cannot be: lines are at most 256 KB): live views miss it
    }
    const half = Math.ceil(batch.events.length / 2);
    send({ events: batch.events.slice(0, half), records: batch.records, first: batch.first });
    send({ events: batch.events.slice(half), records: [], first: batch.first + half });
  };
  const publish = (batch: Batch) => {
    if (batch.events.length === 0 && batch.records.length === 0) return;
    try {
      send(batch);
    } catch {
      // NATS closed or away: the lines are stored; live views miss them
    }
  };
  const stopPublishing = local.onWritten(publish);
  const sub = connection.subscribe(WRITTEN_SUBJECT, {
    callback: (err, msg) => {
      if (err || listeners.size === 0) return;
      let batch: Batch & { from?: string };
      try {
        batch = msg.json();
      } catch {
        return;
      }
      if (batch.from === self || !Array.isArray(batch.events) || !Array.isArray(batch.records)) return;
      for (const l of listeners) l(batch);
    },
  });
  const onWritten: LogReader['onWritten'] = (listener, options) => {
    const stopLocal = local.onWritten(listener, options);
    const wrapped = (b: Batch) => listener(b);
    listeners.add(wrapped);
    return () => {
      stopLocal();
      listeners.delete(wrapped);
    };
  };
  // Everything else is the store's own: reads go to PostgreSQL, which holds every node's lines.
  const view = (merged: boolean): LogReader => new Proxy(local, {
    get(target, prop, receiver) {
      if (prop === 'onWritten' && merged) return onWritten;
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const method = (value as (...a: unknown[]) => unknown).bind(target);
      if (typeof prop !== 'string' || !READS.has(prop)) return method;
      return async (...args: unknown[]) => {
        await flushEverywhere();
        return method(...args);
      };
    },
  });
  return {
    synced: view(false),
    reader: view(true),
    close: () => {
      stopPublishing();
      sub.unsubscribe();
    },
  };
}
