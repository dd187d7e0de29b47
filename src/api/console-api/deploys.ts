// Deploy history: the control-plane routes are wrapped (as api/logs/logging-off-warning.ts does)
// so that each successful create, code or configuration update, publish and delete is written
// down from the FunctionConfiguration it answers with. GET /lambkin/v1/deploys?function= reads it.
import type { Route } from '../http.js';
import { json, type Operation } from '../http.js';
import type { DeployView } from '../../wire.js';
import { Query } from '../investigate/query.js';
import type { ConsoleStore, Deploy } from './store.js';

const FUNCTIONS = '/2015-03-31/functions';

function kindOf(route: Route): Deploy['kind'] | undefined {
  if (route.method === 'POST' && route.pattern === FUNCTIONS) return 'create';
  if (route.method === 'PUT' && route.pattern === `${FUNCTIONS}/{name}/code`) return 'code';
  if (route.method === 'PUT' && route.pattern === `${FUNCTIONS}/{name}/configuration`) return 'configuration';
  if (route.method === 'POST' && route.pattern === `${FUNCTIONS}/{name}/versions`) return 'publish';
  if (route.method === 'DELETE' && route.pattern === `${FUNCTIONS}/{name}`) return 'delete';
  return undefined;
}

export function recordDeploys(routes: readonly Route[], store: ConsoleStore, log: (line: string) => void): Route[] {
  return routes.map((route) => {
    const kind = kindOf(route);
    if (!kind) return route;
    return {
      ...route,
      operation: async (req) => {
        const res = await route.operation(req);
        if (res.status >= 300) return res;
        try {
          if (kind === 'delete') {
            // Deleting one version is not a deploy; deleting the function is.
            if (!req.query.get('Qualifier')) await store.addDeploy(deployOf(kind, { FunctionName: req.params.name }));
          } else if (res.body && typeof res.body === 'object' && !Buffer.isBuffer(res.body)) {
            await store.addDeploy(deployOf(kind, res.body as Config));
          }
        } catch (err) {
          log(`lambkin: console: could not record a deploy: ${(err as Error).message}`);
        }
        return res;
      },
    };
  });
}

interface Config {
  FunctionName?: string; Version?: string; CodeSha256?: string; CodeSize?: number; RevisionId?: string;
  Runtime?: string; Handler?: string; MemorySize?: number; Timeout?: number;
}

function deployOf(kind: Deploy['kind'], c: Config): Deploy {
  return {
    functionName: c.FunctionName ?? '', at: Date.now(), kind, version: c.Version, codeSha256: c.CodeSha256, codeSize: c.CodeSize,
    revisionId: c.RevisionId, runtime: c.Runtime, handler: c.Handler, memorySize: c.MemorySize, timeout: c.Timeout,
  };
}

export function listDeploys(store: ConsoleStore): Operation {
  return async (req) => {
    const q = new Query(req);
    const fn = q.required('function');
    const deploys: readonly DeployView[] = await store.deploys(fn, q.int('limit', 1, 200) ?? 50);
    return json(200, { deploys });
  };
}
