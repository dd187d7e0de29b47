// The route table of lambkin's own API (/lambkin/v1/…), on one page: investigation (logs and
// invocation records), the runtime catalogue, the console's API, the async queue and warm
// environments (provisioned concurrency's lambkin-sized form). In match order;
// each group's handlers live in their own folder.
import type { LogReader } from '../logs/index.js';
import type { Registry } from '../registry/registry.js';
import type { AsyncInvoker } from '../scheduler/async-invoker.js';
import { asyncRoutes } from './async/routes.js';
import type { Route } from './http.js';
import { investigateRoutes } from './investigate/routes.js';
import { type ProvisionedDeps, warmRoutes } from './lambda/provisioned-concurrency.js';
import { runtimesRoutes } from './runtimes.js';
import { nodesRoutes } from './nodes.js';
import type { NodeInfo } from '../cluster/node-info.js';

export interface LambkinTableDeps {
  readonly logs: LogReader;
  readonly registry: Registry;
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
    ...asyncRoutes(d.asyncInvoker),
    ...warmRoutes(d.provisioned),
  ];
}
