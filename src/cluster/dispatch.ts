// A cluster node's dispatch, both halves: the Dispatcher the invoke path uses (dispatcher.ts) and
// what the node answers for others (serving.ts). Started by the server only under --cluster.
import type { NatsConnection } from 'nats';
import type { Registry } from '../registry/registry.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { ClusterDispatcher } from './dispatcher.js';
import { serveDispatch } from './serving.js';

export interface ClusterDispatch {
  readonly dispatcher: ClusterDispatcher;
  /** Stop answering others and end this node's pending requests (before the scheduler closes). */
  close(): void;
}

export function startDispatch(o: {
  nc: NatsConnection; self: string; scheduler: Scheduler; registry: Registry; log: (line: string) => void;
}): ClusterDispatch {
  const serving = serveDispatch({ nc: o.nc, self: o.self, scheduler: o.scheduler, registry: o.registry, log: o.log });
  const dispatcher = new ClusterDispatcher(o.nc, o.scheduler, o.self);
  return {
    dispatcher,
    close: () => {
      serving.close();
      dispatcher.close();
    },
  };
}
