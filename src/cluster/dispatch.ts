// A cluster node's dispatch, both halves: the Dispatcher the invoke path uses (dispatcher.ts) and
// what the node answers for others (serving.ts); and provisioned concurrency shared out (provisioned.ts). Started by the server only under --cluster.
import type { NatsConnection } from 'nats';
import type { Registry } from '../registry/registry.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { ClusterDispatcher, type ClusterView } from './dispatcher.js';
import { ClusterProvisioning } from './provisioned.js';
import { serveDispatch } from './serving.js';
import type { DirectServer } from './direct-serve.js';
import { ReservedLeases } from './reserved-leases.js';
import type { Postgres } from '../database/index.js';

export interface ClusterDispatch {
  readonly dispatcher: ClusterDispatcher;
  /** Provisioned concurrency shared out across the nodes (provisioned.ts). */
  readonly provisioning: ClusterProvisioning;
  /** Membership is up (once the node listens): placement, shares and node failures follow it. */
  joined(view: ClusterView): void;
  /** Stop answering others and end this node's pending requests (before the scheduler closes). */
  close(): void;
}

export async function startDispatch(o: {
  nc: NatsConnection; database: Postgres; self: string; scheduler: Scheduler; registry: Registry; log: (line: string) => void;
  /** The heartbeat TTL: how long a try waits for an answer follows it (requests.ts). */
  ttlMs: number;
  /** This node's direct links' listener (direct-serve.ts), started with the NATS connection. */
  direct: DirectServer;
  /** Whether NATS is connected now: a node cut off from it takes no invocation directly. */
  connected: () => boolean;
}): Promise<ClusterDispatch> {
  const leases = await ReservedLeases.open(o.database, o.self);
  const { direct } = o;
  const serving = serveDispatch({
    nc: o.nc, self: o.self, scheduler: o.scheduler, registry: o.registry, log: o.log, connected: o.connected,
    via: { node: o.self, port: direct.port, key: direct.key.toString('hex') },
  });
  direct.answerWith(serving.direct);
  const dispatcher = new ClusterDispatcher(o.nc, o.scheduler, o.self, leases, o.log, o.ttlMs);
  const provisioning = new ClusterProvisioning(o.nc, o.self);
  return {
    dispatcher,
    provisioning,
    joined: (view) => {
      dispatcher.joined(view);
      provisioning.joined(view);
    },
    close: () => {
      direct.close();
      serving.close();
      dispatcher.close();
      provisioning.close();
    },
  };
}
