// GET /lambkin/v1/nodes: the nodes of the cluster the server belongs to (itself alone when it is not one).
// GET / DELETE /lambkin/v1/environments: the execution environments of every node (of the server alone when it is not a cluster node).
import type { EnvironmentList, EnvironmentStopped, NodeInfo } from '../wire.js';
import type { Transport } from './transport.js';

export type { EnvironmentList, EnvironmentStopped, EnvironmentView, NodeInfo } from '../wire.js';

export async function listNodes(http: Transport): Promise<readonly NodeInfo[]> {
  const out = await http.json<{ nodes: NodeInfo[] }>('GET', '/lambkin/v1/nodes');
  return out.nodes;
}

export function listEnvironments(http: Transport, functionName?: string): Promise<EnvironmentList> {
  return http.json<EnvironmentList>('GET', '/lambkin/v1/environments', undefined, { function: functionName });
}

export function stopEnvironment(http: Transport, id: string): Promise<EnvironmentStopped> {
  return http.json<EnvironmentStopped>('DELETE', `/lambkin/v1/environments/${encodeURIComponent(id)}`);
}
