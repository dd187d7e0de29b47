// The API on a cluster node (docs/cluster.md): every route answers 503 ServiceException while the
// node cannot vouch for what it would answer (NATS lost, or the cluster's latest changes not yet
// taken in), and every route that changes a function, version, alias, setting or layer tells
// every node before it answers (the guarantee of "Changes"). A single node never loads this.
import { unavailableError } from '../errors.js';
import type { Route } from './http.js';

export interface ClusterGate {
  /** Why this node cannot serve now, or undefined when it can. */
  unavailable(): string | undefined;
  /** Every live node has taken `what` in (or the bound passed). */
  announce(what: string): Promise<void>;
}

/** Routes that change what the registry holds: the Lambda API's writes (invocations aside) and lambkin's warm setting. */
export function changesRegistry(route: Route): boolean {
  if (route.method === 'GET' || route.method === 'HEAD') return false;
  if (route.pattern === '/lambkin/v1/functions/{name}/warm') return true;
  return /^\/20\d\d-\d\d-\d\d\//.test(route.pattern) && !route.pattern.endsWith('invocations');
}

/** GET /lambkin/v1/nodes answers even while the node is cut off: it is how one finds out. */
const ALWAYS = new Set(['GET /lambkin/v1/nodes']);

export function clusterRoutes(routes: readonly Route[], gate: ClusterGate): Route[] {
  return routes.map((route): Route => {
    if (ALWAYS.has(`${route.method} ${route.pattern}`)) return route;
    const announces = changesRegistry(route);
    const operation = route.operation;
    return {
      ...route,
      operation: async (req) => {
        const why = gate.unavailable();
        if (why) throw unavailableError(why);
        const res = await operation(req);
        if (announces && res.status < 300) await gate.announce(`${req.method} ${req.path}`);
        return res;
      },
    };
  });
}
