// Which nodes are alive and what each holds (docs/cluster.md, "Membership"). Every node publishes
// a heartbeat on lambkin.nodes.heartbeat every TTL/5 (at most every second) with its address,
// capacity and environments; every node keeps the view of all of them. A node not heard from for
// the TTL is gone; one that closes cleanly says goodbye, so that it is gone at once. Nothing is
// stored: a node that starts learns the others from their next heartbeat, and, to make that
// quick, a node that hears of one it did not know answers with its own heartbeat at once.
import type { NatsConnection, Subscription } from 'nats';
import { parseNodeInfo, selfInfo, type NodeInfo } from './node-info.js';
import type { SchedulerUsage } from '../scheduler/scheduler.js';

export type { NodeInfo } from './node-info.js';

export const HEARTBEAT_SUBJECT = 'lambkin.nodes.heartbeat';

export interface Membership {
  readonly self: string;
  /** Self included; dead ones (not heard from for the TTL) not. */
  live(): readonly NodeInfo[];
  /** Live nodes only. */
  get(id: string): NodeInfo | undefined;
  /** A node's heartbeat passed the TTL, or it said goodbye. Returns the unsubscribe. */
  onLeft(listener: (id: string) => void): () => void;
  close(): Promise<void>;
}

export interface MembershipOptions {
  readonly connection: NatsConnection;
  readonly id: string;
  readonly url: string;
  readonly ttlMs: number;
  readonly usage: () => SchedulerUsage;
  readonly log: (line: string) => void;
}

export function startMembership(o: MembershipOptions): Membership {
  const startedAt = Date.now();
  const others = new Map<string, NodeInfo>();
  const leftListeners = new Set<(id: string) => void>();
  const every = Math.max(50, Math.min(1000, Math.floor(o.ttlMs / 5)));
  const me = () => selfInfo(o.id, o.url, startedAt, o.usage());
  const encoder = new TextEncoder();

  const publish = (body: object) => {
    // While NATS is away the client buffers; a heartbeat that cannot go is simply the next one's job.
    try {
      o.connection.publish(HEARTBEAT_SUBJECT, encoder.encode(JSON.stringify(body)));
    } catch {
      // closed or draining: nothing to tell
    }
  };
  const left = (id: string, why: string) => {
    if (!others.delete(id)) return;
    o.log(`lambkin: cluster node ${id} left (${why})`);
    for (const l of leftListeners) l(id);
  };

  const sub: Subscription = o.connection.subscribe(HEARTBEAT_SUBJECT, {
    callback: (err, msg) => {
      if (err) return;
      let body: unknown;
      try {
        body = msg.json();
      } catch {
        return;
      }
      const b = body as { id?: unknown; goodbye?: unknown };
      if (b.id === o.id) return;
      if (b.goodbye === true && typeof b.id === 'string') return left(b.id, 'said goodbye');
      const info = parseNodeInfo(body, Date.now());
      if (!info) return;
      const known = others.has(info.id);
      others.set(info.id, info);
      if (!known) {
        o.log(`lambkin: cluster node ${info.id} joined (${info.url})`);
        publish(me()); // it learns of this node now, not a heartbeat later
      }
    },
  });

  const sweep = () => {
    const cutoff = Date.now() - o.ttlMs;
    for (const [id, n] of others) if (n.heartbeatAt < cutoff) left(id, `no heartbeat for ${o.ttlMs} ms`);
  };
  const timer = setInterval(() => {
    publish(me());
    sweep();
  }, every);
  timer.unref();
  publish(me());

  const live = () => {
    sweep();
    return [me(), ...others.values()].sort((a, b) => a.id.localeCompare(b.id));
  };
  return {
    self: o.id,
    live,
    get: (id) => live().find((n) => n.id === id),
    onLeft: (listener) => {
      leftListeners.add(listener);
      return () => leftListeners.delete(listener);
    },
    close: async () => {
      clearInterval(timer);
      publish({ id: o.id, goodbye: true });
      sub.unsubscribe();
      // The goodbye goes out now; with NATS away there is no one to tell (the TTL tells them instead).
      await Promise.race([o.connection.flush().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    },
  };
}
