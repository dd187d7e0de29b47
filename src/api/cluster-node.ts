// This server as one node of a cluster (docs/cluster.md): made before the routes (they ask it
// whether the node can serve, and tell it of changes), started once the server listens (its
// heartbeat carries the URL), closed first at shutdown (the others drop it at once).
import { startChanges, type Changes } from '../cluster/changes.js';
import { startMembership, type Membership } from '../cluster/membership.js';
import type { NatsLink } from '../cluster/nats.js';
import type { NodeInfo } from '../cluster/node-info.js';
import { peerCalls, type PeerCalls } from '../cluster/peer-calls.js';
import { clusterLogFeed } from '../cluster/log-feed.js';
import { clusterEnvironments, type ClusterEnvironmentsView } from '../cluster/environments.js';
import type { LogReader } from '../logs/index.js';
import type { ClusterConfig } from '../config.js';
import type { Registry } from '../registry/registry.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { ClusterGate } from './cluster-routes.js';

export interface ClusterNode extends ClusterGate {
  /** undefined until started. */
  readonly membership: Membership | undefined;
  /** The other nodes, asked about what only one of them holds (Logs Insights queries). */
  readonly peers: PeerCalls;
  /** The log store, its reads after every node wrote what it had queued (docs/cluster.md, "Logs"). */
  readonly logs: LogReader;
  /** The same, and its onWritten also hears every other node's batches (live tails, the console's numbers). */
  readonly liveLogs: LogReader;
  /** Every node's execution environments, listed and stopped through this one (the console, `lambkin envs`). */
  readonly environments: ClusterEnvironmentsView;
  live(): readonly NodeInfo[];
  start(url: string): Promise<void>;
  close(): Promise<void>;
}

export function clusterNode(o: {
  config: ClusterConfig; nats: NatsLink; id: string; registry: Registry; scheduler: Scheduler; logs: LogReader; log: (line: string) => void;
  /** Reloaded with the registry at each change (subscription filters). */
  alsoReload?: readonly (() => Promise<void>)[];
}): ClusterNode {
  let membership: Membership | undefined;
  let changes: Changes | undefined;
  const where = o.config.natsServers.join(', ');
  const peers = peerCalls(o.nats.connection, o.id, () => Math.max(0, (membership?.live().length ?? 1) - 1));
  const feed = clusterLogFeed(o.logs, o.nats.connection, o.id, peers);
  const environments = clusterEnvironments({ self: o.id, scheduler: o.scheduler, peers, live: () => membership?.live() ?? [] });
  return {
    peers,
    environments,
    logs: feed.synced,
    liveLogs: feed.reader,
    get membership() {
      return membership;
    },
    live: () => membership?.live() ?? [],
    unavailable: () => {
      if (!membership || !changes) return `lambkin node ${o.id} is starting; try again shortly.`;
      if (!o.nats.connected()) {
        return `lambkin node ${o.id} has lost its connection to NATS (${where}) and cannot vouch for the cluster's state; it serves again by itself once NATS is back. Try again shortly, or through another node.`;
      }
      if (!changes.ready()) return `lambkin node ${o.id} is taking in the cluster's latest changes (after an outage of NATS or its database); try again shortly.`;
      return undefined;
    },
    announce: (what) => changes?.announce(what) ?? Promise.resolve(),
    start: async (url) => {
      membership = startMembership({ connection: o.nats.connection, id: o.id, url, ttlMs: o.config.ttlMs, usage: () => o.scheduler.usage(), log: o.log });
      changes = startChanges({ nats: o.nats, membership, registry: o.registry, scheduler: o.scheduler, log: o.log, alsoReload: o.alsoReload });
      await changes.started;
    },
    close: async () => {
      await membership?.close(); // goodbye first: the others stop waiting for this node's answers
      await changes?.close();
      peers.close();
      feed.close();
    },
  };
}
