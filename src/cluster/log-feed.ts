// What the other nodes wrote to the log store, as it is written (docs/cluster.md, "Logs"): every
// node publishes the invocation records of each batch its store writes on lambkin.logs.records
// (compact: without recorded payloads; the console's numbers of every node come from these), and
// its lines on lambkin.logs.events only while some node has a live view open (a console tail or
// StartLiveTail), which that node announces on lambkin.logs.watching (log-watch.ts). Lines are
// most of the log traffic; sending and parsing them on every node for nobody cost the cluster a
// good part of its CPU at high throughput. What must happen once per line — storing it,
// subscription filters, recorded payloads — keeps listening to the node's own store only. Stored
// lines and records are in PostgreSQL already: a batch lost on NATS is missing only from live
// views, never from queries.
//
// Reads: a node writes its lines in batches (every 250-500 ms); on one server a read first writes
// what is queued, so that a caller reads what it just caused. On a cluster the invocation may
// have run on another node: before a read, every node writes what it has queued (a flush asked
// over NATS, bounded by 1 s), then the read goes to PostgreSQL.
import type { Msg, NatsConnection } from 'nats';
import type { Batch, InvocationRecord, LogEvent, LogReader } from '../logs/index.js';
import { logWatch } from './log-watch.js';
import type { PeerCalls } from './peer-calls.js';

export const RECORDS_SUBJECT = 'lambkin.logs.records';
export const EVENTS_SUBJECT = 'lambkin.logs.events';
/** A message larger than this (JSON) goes out in parts: NATS messages are at most max_payload (≥ 7 MB). */
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

/** A record as the other nodes need it: the recorded payloads stay with the console store. */
function compact(r: InvocationRecord): InvocationRecord {
  if (r.recorded === undefined) return r;
  const { recorded: _recorded, ...rest } = r;
  return rest;
}

export function clusterLogFeed(local: LogReader, connection: NatsConnection, self: string, peers: PeerCalls): LogFeed {
  peers.serve(FLUSH, async () => {
    await local.flush();
    return true;
  });
  const flushEverywhere = async () => {
    await Promise.all([local.flush(), peers.askAll(FLUSH, {})]);
  };
  const encoder = new TextEncoder();
  /** Listeners of lines (and records), and listeners of records only (the console's numbers). */
  const lineListeners = new Set<(batch: Batch) => void>();
  const recordListeners = new Set<(batch: Batch) => void>();
  const watch = logWatch(connection, self);
  const sendEvents = (events: LogEvent[], first: number): void => {
    const body = encoder.encode(JSON.stringify({ from: self, events, first }));
    if (body.length <= MAX_MESSAGE) connection.publish(EVENTS_SUBJECT, body);
    else if (events.length >= 2) {
      const half = Math.ceil(events.length / 2);
      sendEvents(events.slice(0, half), first);
      sendEvents(events.slice(half), first + half);
    } // one line over the bound (it cannot be: lines are at most 256 KB): live views miss it
  };
  const publish = (batch: Batch) => {
    try {
      if (batch.records.length > 0) {
        connection.publish(RECORDS_SUBJECT, encoder.encode(JSON.stringify({ from: self, records: batch.records.map(compact) })));
      }
      if (batch.events.length > 0 && watch.watched()) sendEvents(batch.events, batch.first);
    } catch {
      // NATS closed or away: the lines are stored; live views miss them
    }
  };
  const stopPublishing = local.onWritten(publish);
  const tell = (listeners: Set<(batch: Batch) => void>, batch: Batch) => {
    for (const l of listeners) l(batch);
  };
  const parse = (msg: Msg): (Partial<Batch> & { from?: string }) | undefined => {
    try {
      const body = msg.json<Partial<Batch> & { from?: string }>();
      return body.from === self ? undefined : body;
    } catch {
      return undefined;
    }
  };
  const records = connection.subscribe(RECORDS_SUBJECT, {
    callback: (err, msg) => {
      if (err || lineListeners.size + recordListeners.size === 0) return;
      const body = parse(msg);
      if (!body || !Array.isArray(body.records)) return;
      const batch: Batch = { events: [], records: body.records, first: 0 };
      tell(recordListeners, batch);
      tell(lineListeners, batch);
    },
  });
  const events = connection.subscribe(EVENTS_SUBJECT, {
    callback: (err, msg) => {
      if (err || lineListeners.size === 0) return;
      const body = parse(msg);
      if (!body || !Array.isArray(body.events) || typeof body.first !== 'number') return;
      tell(lineListeners, { events: body.events, records: [], first: body.first });
    },
  });
  const onWritten: LogReader['onWritten'] = (listener, options) => {
    const stopLocal = local.onWritten(listener, options);
    const wrapped = (b: Batch) => listener(b);
    const set = options?.recordsOnly ? recordListeners : lineListeners;
    set.add(wrapped);
    if (set === lineListeners) watch.setWatching(true);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      stopLocal();
      set.delete(wrapped);
      if (lineListeners.size === 0) watch.setWatching(false);
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
      records.unsubscribe();
      events.unsubscribe();
      watch.close();
    },
  };
}
