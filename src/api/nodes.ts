// GET /lambkin/v1/nodes — the nodes of the cluster as this node sees them (docs/cluster.md): each
// one's address, environments (warm / busy), invocations in flight, capacity, version and last
// heartbeat. A single node lists itself. `lambkin nodes` and the console's Nodes page read it.
import type { NodeInfo } from '../cluster/node-info.js';
import { json, type Route } from './http.js';

export function nodesRoutes(nodes: () => readonly NodeInfo[]): Route[] {
  return [{ method: 'GET', pattern: '/lambkin/v1/nodes', operation: () => json(200, { nodes: nodes() }) }];
}
