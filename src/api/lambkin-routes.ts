// The route table of lambkin's own API (/lambkin/v1/…), on one page: investigation (logs and
// invocation records), the runtime catalogue, the console's API, the async queue, warm
// environments (provisioned concurrency's lambkin-sized form) and debug environments. In match order;
// each group's handlers live in their own folder.
import type { LogReader } from '../logs/index.js';
import type { Registry } from '../registry/registry.js';
import type { AsyncInvoker } from '../scheduler/async-invoker.js';
import { asyncRoutes } from './async/routes.js';
import type { Route } from './http.js';
import { investigateRoutes } from './investigate/routes.js';
import { type ProvisionedDeps, warmRoutes } from './lambda/provisioned-concurrency.js';
import { debugRoutes } from './lambda/debug.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { runtimesRoutes } from './runtimes.js';
import { nodesRoutes } from './nodes.js';
import type { NodeInfo } from '../cluster/node-info.js';

export interface LambkinTableDeps {
  readonly logs: LogReader;
  readonly registry: Registry;
  readonly scheduler: Scheduler;
  readonly asyncInvoker: AsyncInvoker;
  readonly provisioned: ProvisionedDeps;
  /** The console's API (console-api/index.ts builds them with its stores). */
  readonly consoleRoutes: readonly Route[];
  /** The cluster's live nodes (this one alone when not a cluster). */
  readonly nodes: () => readonly NodeInfo[];
}

export function lambkinRoutes(d: LambkinTableDeps): Route[] {
  return [
    ...investigateRoutes({ store: d.logs, registry: d.registry }),
    ...runtimesRoutes(),
    ...nodesRoutes(d.nodes),
    ...d.consoleRoutes,
    ...asyncRoutes(d.asyncInvoker, d.registry.arns),
    ...warmRoutes(d.provisioned),
    // A debug environment for a function's next invocation (lambkin invoke/dev --debug).
    ...debugRoutes({ registry: d.registry, scheduler: d.scheduler }),
  ];
}
