// Wiring of the lifecycle features' moving parts for server.ts: the async worker over the durable
// queue (opened by server.ts: scheduler/async-queue-open.ts), the provisioner of provisioned
// concurrency, the collector of unused code, and the function URL handler. Their routes are in the
// API tables (lambda/table.ts, lambkin-routes.ts). Builds the parts; holds no logic of its own.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerConfig } from '../config.js';
import type { Registry } from '../registry/registry.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { Dispatcher } from '../scheduler/dispatcher.js';
import { AsyncInvoker } from '../scheduler/async-invoker.js';
import type { PeerCalls } from '../cluster/peer-calls.js';
import type { AsyncQueue } from '../scheduler/async-queue.js';
import { collectCodeWhenUnused } from '../scheduler/code-collector.js';
import { Provisioner, type ProvisionCluster } from '../scheduler/provisioner.js';
import type { SigV4Verifier } from './auth/sigv4.js';
import type { EdgeRequest } from './edge/index.js';
import { provisionTargets } from './lambda/provisioned-concurrency.js';
import { urlHandler } from './urls/serve.js';

export interface Lifecycle {
  readonly asyncInvoker: AsyncInvoker;
  readonly provisioner: Provisioner;
  /** Serves /url/… requests (function URLs), before and apart from the API's own auth. */
  serveUrl(req: IncomingMessage, res: ServerResponse, edge: EdgeRequest): Promise<void>;
  /** Stop the async worker and the provisioner (before the scheduler closes). */
  close(): Promise<void>;
}

export async function startLifecycle(opts: {
  config: ServerConfig;
  registry: Registry;
  scheduler: Scheduler;
  /** A cluster node's dispatcher (invoke-path.ts); none on a single node. */
  dispatcher?: Dispatcher;
  /** A cluster node's share of provisioned concurrency (cluster/provisioned.ts); none on a single node. */
  provisionCluster?: ProvisionCluster;
  auth: SigV4Verifier | undefined;
  log: (line: string) => void;
  /** The async queue's store (closed with the lifecycle). */
  queue: AsyncQueue;
  /** A cluster node's calls to the others: the async queue's depth counts every node's running events. */
  peers?: PeerCalls;
}): Promise<Lifecycle> {
  const { config, registry, scheduler, queue, log, peers } = opts;
  const asyncInvoker = await AsyncInvoker.start(queue, scheduler, registry, {
    retryDelaysMs: config.asyncRetryDelaysMs,
    perFunction: config.asyncConcurrency,
    secondMs: config.asyncSecondMs,
    // On a cluster, Event invocations go through the dispatcher too: its reserved-concurrency lease makes the ceiling cluster-wide.
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    ...(peers ? { othersRunning: () => othersRunning(peers) } : {}),
  }, log);
  peers?.serve(RUNNING, () => Object.fromEntries(asyncInvoker.runningHere()));
  collectCodeWhenUnused(registry, scheduler, log);
  // A deleted function's dead letters go with it (a new function of the same name starts clean).
  registry.onDeleted((name) => {
    queue.forgetDeadLetters(name).catch((err: unknown) => log(`lambkin: async queue: the dead letters of deleted ${name} stay: ${(err as Error)?.message ?? String(err)}`));
    // On a cluster its JetStream consumer and queued events go too (once: only this node committed the delete).
    queue.forgetEvents?.(name, () => registry.stored(name)).catch((err: unknown) => log(`lambkin: async queue: the queued events of deleted ${name} stay: ${(err as Error)?.message ?? String(err)}`));
  });
  const provisioner = new Provisioner(scheduler, () => provisionTargets(registry), undefined, opts.provisionCluster);
  return {
    asyncInvoker,
    provisioner,
    serveUrl: urlHandler({ registry, scheduler, dispatcher: opts.dispatcher, auth: opts.auth }),
    close: async () => {
      provisioner.close();
      await asyncInvoker.close();
      // A database that is away now: this node's claims stay until it starts again (it takes them
      // back then) or their lease ends; the rest of the shutdown must go on.
      await queue.close().catch((err: unknown) => log(`lambkin: async queue: closing: ${(err as Error)?.message ?? String(err)}`));
    },
  };
}

const RUNNING = 'async.running';

/** Per function, the Event invocations the other nodes run now (those that answer within 1 s). */
async function othersRunning(peers: PeerCalls): Promise<Map<string, number>> {
  const sum = new Map<string, number>();
  for (const answer of await peers.askAll(RUNNING, {}, 1_000)) {
    if (typeof answer !== 'object' || answer === null) continue;
    for (const [name, n] of Object.entries(answer)) if (typeof n === 'number' && n > 0) sum.set(name, (sum.get(name) ?? 0) + n);
  }
  return sum;
}
