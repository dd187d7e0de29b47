// GET /lambkin/v1/nodes: the nodes of the cluster the server belongs to (itself alone when it is not one).
import type { NodeInfo } from '../wire.js';
import type { Transport } from './transport.js';

export type { NodeInfo } from '../wire.js';

export async function listNodes(http: Transport): Promise<readonly NodeInfo[]> {
  const out = await http.json<{ nodes: NodeInfo[] }>('GET', '/lambkin/v1/nodes');
  return out.nodes;
}
