// A cluster node's async queue: events in JetStream, dead letters in the shared PostgreSQL database
// (whose schema is migrated first through the one runner, as for a single node on PostgreSQL).
import { migratePostgres, type Postgres } from '../database/index.js';
import { PostgresAsyncQueue } from '../scheduler/async-queue-postgres.js';
import { ASYNC_QUEUE_MIGRATIONS } from '../scheduler/async-queue-postgres-schema.js';
import type { NatsLink } from './nats.js';
import { JetStreamAsyncQueue } from './async-stream.js';

export interface StreamQueueOptions {
  readonly nats: NatsLink;
  readonly database: Postgres;
  readonly node: string;
  readonly deadLetterLimit?: number;
  /** Events of one function this node runs at once (--async-concurrency): how many it holds follows from it. */
  readonly asyncConcurrency: number;
  /** How long a node may hold an event without a word before JetStream gives it to another (ms). */
  readonly ackWaitMs: number;
  /** Times an event may be handed out before it is kept as a dead letter instead of run. */
  readonly maxDeliveries: number;
  readonly log: (line: string) => void;
}

export async function openStreamQueue(options: StreamQueueOptions): Promise<JetStreamAsyncQueue> {
  await migratePostgres(options.database, ASYNC_QUEUE_MIGRATIONS);
  const letters = await PostgresAsyncQueue.open(options.database, {
    node: options.node, ...(options.deadLetterLimit !== undefined ? { deadLetterLimit: options.deadLetterLimit } : {}),
  });
  // A node holds a few rounds of its own capacity: enough to keep its slots busy between pulls, few
  // enough that a backlog of one function is not kept from nodes that could run it now.
  const maxHeld = Math.max(32, options.asyncConcurrency * 8);
  // Of one function, two rounds of what it may run here at once: its other events stay for other nodes.
  const maxPerFunction = Math.max(8, options.asyncConcurrency * 2);
  return JetStreamAsyncQueue.open(options.nats.connection, letters, {
    log: options.log, maxHeld, maxPerFunction, ackWaitMs: options.ackWaitMs, maxDeliveries: options.maxDeliveries,
  });
}
