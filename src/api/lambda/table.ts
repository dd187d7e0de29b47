// The Lambda API's route table, on one page: every operation lambkin serves under the Lambda REST
// paths, in the order they are matched (the first route whose method and pattern fit wins), and
// last the operations it does not serve, answered NotImplementedException (not-implemented.ts).
// Each group's handlers live in their own file; this file only lists them.
import type { Registry } from '../../registry/registry.js';
import type { Provisioner } from '../../scheduler/provisioner.js';
import type { Scheduler } from '../../scheduler/scheduler.js';
import type { Dispatcher } from '../../scheduler/dispatcher.js';
import type { Route } from '../http.js';
import { warnWhenLoggingOff } from '../logs/logging-off-warning.js';
import { urlConfigRoutes } from '../urls/config.js';
import { accountSettingsRoutes } from './account-settings.js';
import { aliasRoutes } from './aliases.js';
import { codeSigningRoutes } from './code-signing.js';
import type { LambdaApiDeps } from './deps.js';
import { eventInvokeConfigRoutes } from './event-invoke-config.js';
import { concurrencyRoutes } from './function-concurrency.js';
import { functionPolicyRoutes } from './function-policy.js';
import type { InvokeDeps } from './invoke.js';
import { invokeRoutes } from './invoke-route.js';
import { layerRoutes } from './layers.js';
import { notImplementedRoutes } from './not-implemented.js';
import { provisionedRoutes } from './provisioned-concurrency.js';
import { controlPlaneRoutes } from './routes.js';
import { storedSettingRoutes } from './stored-settings.js';
import { tagRoutes } from './tags.js';
import { listVersions, publishVersion } from './versions.js';

export interface LambdaTableDeps {
  readonly registry: Registry;
  readonly scheduler: Scheduler;
  /** A cluster node's dispatcher (api/invoke-path.ts); none on a single node. */
  readonly dispatcher?: Dispatcher;
  readonly provisioner: Provisioner;
  readonly maxConcurrency: number;
  readonly enqueueAsync: InvokeDeps['enqueueAsync'];
  readonly log: (line: string) => void;
  /** Wraps the routes that deploy (the console's deploy history, console-api/deploys.ts). */
  readonly recordDeploys: (routes: readonly Route[]) => Route[];
}

export function lambdaRoutes(d: LambdaTableDeps): Route[] {
  const { registry, scheduler, maxConcurrency } = d;
  const fns: LambdaApiDeps = {
    registry, onFunctionChanged: (name, version) => scheduler.retire(name, version), onFunctionDeployed: (fn) => scheduler.deployed(fn),
  };
  return [
    // Invoke and InvokeWithResponseStream (the hot path first).
    ...invokeRoutes({ registry, scheduler, dispatcher: d.dispatcher, enqueueAsync: d.enqueueAsync }),
    // Functions: create, get, list, update, delete (routes.ts).
    ...d.recordDeploys(warnWhenLoggingOff(controlPlaneRoutes(fns), d.log)),
    ...concurrencyRoutes({ registry, maxConcurrency }),
    ...layerRoutes(registry),
    ...functionPolicyRoutes(registry),
    ...tagRoutes(registry),
    ...codeSigningRoutes(registry),
    ...storedSettingRoutes(registry),
    // Versions, aliases and what hangs off them.
    ...d.recordDeploys([
      { method: 'POST', pattern: '/2015-03-31/functions/{name}/versions', operation: publishVersion(fns) },
      { method: 'GET', pattern: '/2015-03-31/functions/{name}/versions', operation: listVersions(fns) },
    ]),
    ...aliasRoutes(fns),
    ...eventInvokeConfigRoutes(fns),
    ...provisionedRoutes({ registry, provisioner: d.provisioner, maxConcurrency }),
    ...accountSettingsRoutes(registry, maxConcurrency),
    ...urlConfigRoutes(registry),
    // Last: a Lambda operation none of the above serves is answered as not implemented.
    ...notImplementedRoutes(),
  ];
}
