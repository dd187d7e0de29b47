// console-api/ owns what the web console needs beyond the Lambda API and the investigation API
// (README "Console"): per-function numbers and time series from an in-memory rollup of the
// invocation records, environments now and stopping one, deploy history, recorded events and
// responses, and the live tail (server-sent events). All under /lambkin/v1/, signed like the rest.
import type { LogReader } from '../../logs/index.js';
import type { Registry } from '../../registry/index.js';
import type { Scheduler } from '../../scheduler/scheduler.js';
import type { Route } from '../http.js';
import { listDeploys, recordDeploys } from './deploys.js';
import { listEnvironments, stopEnvironment, type ClusterEnvironments } from './environments.js';
import { feedRollup } from './loader.js';
import { errorTrends, overview, timeseries } from './metrics.js';
import { getPayload, type PayloadPath } from './payloads.js';
import { Rollup } from './rollup.js';
import type { ConsoleStore } from './store.js';
import { TailHub } from './tail.js';

const BASE = '/lambkin/v1';

export interface ConsoleApi {
  readonly routes: Route[];
  /** Wrap control-plane routes so that their deploys are written down. */
  recordDeploys(routes: readonly Route[]): Route[];
  /**
   * End the live tails (before the server closes: they would hold it open), and the start-up read
   * of stored records (the log store closes next, asynchronously: the read must not outlive it).
   */
  endStreams(): void;
  /** After the environments stopped: the last recorded payloads are stored, then the store closes. */
  close(): Promise<void>;
}

export function startConsoleApi(deps: {
  readonly logs: LogReader;
  /** On a cluster node: `logs`, with every node's batches told to onWritten (numbers and tail of the whole cluster). */
  readonly liveLogs?: LogReader;
  readonly registry: Registry;
  readonly scheduler: Scheduler;
  readonly log: (line: string) => void;
  /** Where deploys and recorded payloads are kept (store-open.ts); closed with the console API. */
  readonly store: ConsoleStore;
  /** The recorded payloads' path into the store (payloads.ts), flushed before the store closes. */
  readonly payloads: PayloadPath;
  /** On a cluster node: the environments of every node (listed and stopped through any of them). */
  readonly environments?: ClusterEnvironments;
}): ConsoleApi {
  const store = deps.store;
  const rollup = new Rollup();
  const live = deps.liveLogs ?? deps.logs;
  const feed = feedRollup(live, rollup, deps.log);
  const tail = new TailHub(live, deps.registry);
  const metrics = { rollup, feed, scheduler: deps.scheduler, sync: () => deps.logs.flush() };
  return {
    routes: [
      { method: 'GET', pattern: `${BASE}/overview`, operation: overview(metrics) },
      { method: 'GET', pattern: `${BASE}/timeseries`, operation: timeseries(metrics) },
      { method: 'GET', pattern: `${BASE}/error-trends`, operation: errorTrends(metrics) },
      { method: 'GET', pattern: `${BASE}/environments`, operation: listEnvironments(deps.scheduler, deps.environments) },
      { method: 'DELETE', pattern: `${BASE}/environments/{id}`, operation: stopEnvironment(deps.scheduler, deps.environments) },
      { method: 'GET', pattern: `${BASE}/deploys`, operation: listDeploys(store) },
      { method: 'GET', pattern: `${BASE}/invocations/{requestId}/payload`, operation: getPayload(store) },
      { method: 'GET', pattern: `${BASE}/tail`, operation: tail.operation() },
    ],
    recordDeploys: (routes) => recordDeploys(routes, store, deps.log),
    endStreams: () => {
      tail.close();
      feed.close();
    },
    close: async () => {
      tail.close();
      feed.close();
      rollup.close();
      await deps.payloads.flush();
      await store.close();
    },
  };
}
