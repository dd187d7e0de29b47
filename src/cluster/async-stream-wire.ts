// How an Event invocation travels in JetStream (docs/cluster.md, "Async"): the stream and the
// durable consumer of each function that every node pulls from, the subject of an event, and the header that carries what
// the store queues keep in columns (its first sequence number, request id, function, qualifier,
// enqueue time, attempts, not-before). The payload is the message's body, byte for byte.
//
// One subject per event (<prefix>.<function>.<request id>): the stream can answer "is this event
// still there, and which message is its newest?" (last message of the subject) without a scan. A
// retry republishes the event on the same subject before acking the old message, so a copy left by a
// crash between the two is known stale when it comes back: it is not the subject's newest.
import { AckPolicy, DeliverPolicy, headers as natsHeaders, RetentionPolicy, StorageType, nanos, type JetStreamManager, type MsgHdrs } from 'nats';
import type { QueuedEvent } from '../scheduler/async-queue.js';

export interface StreamNames {
  /** The stream (LAMBKIN_ASYNC). */
  readonly stream: string;
  /** Its subjects' prefix (lambkin.async): events go to <prefix>.<function>.<id>. */
  readonly prefix: string;
  /** The durable pull consumers' prefix: a function's consumer is <consumer>-<function>, shared by all nodes. */
  readonly consumer: string;
}

export const DEFAULT_STREAM: StreamNames = { stream: 'LAMBKIN_ASYNC', prefix: 'lambkin.async', consumer: 'lambkin-async' };

const HEADER = 'Lambkin-Event';
const TOKEN = /^[A-Za-z0-9_-]+$/;

/** A subject token for a name or id: itself when it is one (function names and request ids are), else base64url with a mark. */
function token(text: string): string {
  return TOKEN.test(text) && !text.startsWith('~') ? text : `~${Buffer.from(text).toString('base64url')}`;
}

/** A function's durable consumer: its events only (filter <prefix>.<function>.>). */
export function consumerOf(names: StreamNames, functionName: string): string {
  return `${names.consumer}-${token(functionName)}`;
}

/** The function whose events a consumer of ours pulls, or undefined for another consumer. */
export function functionOfConsumer(names: StreamNames, consumer: string): string | undefined {
  if (!consumer.startsWith(`${names.consumer}-`)) return undefined;
  const t = consumer.slice(names.consumer.length + 1);
  return t.startsWith('~') ? Buffer.from(t.slice(1), 'base64url').toString() : t;
}

/** The subjects of a function's events (its consumer's filter). */
export function functionSubjects(names: StreamNames, functionName: string): string {
  return `${names.prefix}.${token(functionName)}.>`;
}

/** Where a node that made a function's consumer says so, so that every node pulls from it at once (outside the stream's subjects). */
export function consumerNotice(names: StreamNames): string {
  return `lambkin.async-consumers.${names.stream}`;
}

export function subjectOf(names: StreamNames, functionName: string, id: string): string {
  return `${names.prefix}.${token(functionName)}.${token(id)}`;
}

interface Carried {
  seq?: number; id: string; fn: string; q: string; at: number; n: number; next: number;
}

/** The header of an event (seq omitted on its first publish: its sequence number is then the message's). */
export function eventHeaders(e: Omit<QueuedEvent, 'seq' | 'throttles'> & { seq?: number }): MsgHdrs {
  const carried: Carried = { id: e.id, fn: e.functionName, q: e.qualifier, at: e.enqueuedAt, n: e.attempts, next: e.nextAt, ...(e.seq !== undefined ? { seq: e.seq } : {}) };
  const h = natsHeaders();
  h.set(HEADER, JSON.stringify(carried));
  return h;
}

/** The event a message carries, or undefined for a message that is not one of lambkin's. */
export function eventOf(h: MsgHdrs | undefined, streamSeq: number): QueuedEvent | undefined {
  const raw = h?.get(HEADER);
  if (!raw) return undefined;
  try {
    const c = JSON.parse(raw) as Carried;
    if (typeof c.id !== 'string' || typeof c.fn !== 'string' || typeof c.q !== 'string' || !Number.isFinite(c.at) || !Number.isFinite(c.n) || !Number.isFinite(c.next)) return undefined;
    return { seq: c.seq ?? streamSeq, id: c.id, functionName: c.fn, qualifier: c.q, enqueuedAt: c.at, attempts: c.n, nextAt: c.next, throttles: 0 };
  } catch {
    return undefined;
  }
}

/**
 * Make the stream if it is not there. Work-queue retention: a message goes when it is acked. File
 * storage; three replicas when the NATS servers form a cluster that has them, else one. The one
 * shared consumer of earlier versions (named like the prefix, no filter) is removed: a work-queue
 * stream refuses filtered consumers beside an unfiltered one.
 */
export async function ensureStream(jsm: JetStreamManager, names: StreamNames): Promise<number> {
  let replicas: number;
  try {
    replicas = (await jsm.streams.info(names.stream)).config.num_replicas;
  } catch {
    const config = { name: names.stream, subjects: [`${names.prefix}.>`], retention: RetentionPolicy.Workqueue, storage: StorageType.File };
    try {
      replicas = (await jsm.streams.add({ ...config, num_replicas: 3 })).config.num_replicas;
    } catch {
      // A single server (or a cluster of fewer than three): one copy.
      replicas = (await jsm.streams.add({ ...config, num_replicas: 1 })).config.num_replicas;
    }
  }
  await jsm.consumers.delete(names.stream, names.consumer).catch(() => false);
  return replicas;
}

/**
 * Make a function's consumer if it is not there (adding one with the same settings is a no-op).
 * max_deliver is unlimited for JetStream: the cap on deliveries is counted by the node that takes a
 * message (async-stream.ts), so that it can keep the event as a dead letter saying why.
 */
export async function ensureConsumer(jsm: JetStreamManager, names: StreamNames, functionName: string, ackWaitMs: number): Promise<void> {
  const consumer = {
    durable_name: consumerOf(names, functionName), filter_subject: functionSubjects(names, functionName),
    ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: nanos(ackWaitMs), max_deliver: -1, max_ack_pending: 20_000,
  };
  try {
    await jsm.consumers.add(names.stream, consumer);
  } catch (err) {
    // Made by another node with other settings (another ack wait): use it as it is.
    await jsm.consumers.info(names.stream, consumer.durable_name).catch(() => {
      throw err;
    });
  }
}
