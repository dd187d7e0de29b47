// Logs Insights queries on a cluster (docs/cluster.md): a query runs, and its results are kept, on
// the node that started it, but any node may be asked for it. GetQueryResults and StopQuery for a
// query this node does not hold go to the node that does; DescribeQueries lists every node's.
import type { PeerCalls } from '../../../cluster/peer-calls.js';
import type { InsightsQueries } from '../../../logs/insights/index.js';
import { LogsError } from '../errors.js';
import type { LogsOperation } from '../routes.js';

/** What DescribeQueries needs of a query, from any node. */
export interface QueryListing {
  readonly queryId: string;
  readonly queryString: string;
  readonly status: string;
  readonly createTime: number;
  readonly groups: readonly string[];
}

const ANSWER = 'logs.query';
const LIST = 'logs.queries';

export function listing(queries: InsightsQueries): QueryListing[] {
  return queries.list().map((q) => ({ queryId: q.queryId, queryString: q.queryString, status: q.status, createTime: q.createTime, groups: q.groups }));
}

/** Serve the other nodes' questions about the queries this node holds. */
export function answerPeers(peers: PeerCalls, queries: InsightsQueries, operations: Record<'GetQueryResults' | 'StopQuery', LogsOperation>): void {
  peers.serve(ANSWER, async (body) => {
    const { operation, queryId, request } = body as { operation?: string; queryId?: string; request?: string };
    if ((operation !== 'GetQueryResults' && operation !== 'StopQuery') || typeof queryId !== 'string' || typeof request !== 'string') return undefined;
    if (!queries.get(queryId)) return undefined;
    return operations[operation](Buffer.from(request));
  });
  peers.serve(LIST, () => listing(queries));
}

/** `local`, or for a query no node here holds, the answer of the node that does. */
export function forwarded(peers: PeerCalls | undefined, operation: 'GetQueryResults' | 'StopQuery', local: LogsOperation): LogsOperation {
  if (!peers) return local;
  return async (body) => {
    try {
      return await local(body);
    } catch (err) {
      if (!(err instanceof LogsError) || err.errorName !== 'ResourceNotFoundException') throw err;
      const queryId = (JSON.parse(body.toString('utf8')) as { queryId: string }).queryId; // parsed by local already
      const answer = await peers.askOne(ANSWER, { operation, queryId, request: body.toString('utf8') });
      if (answer === undefined || answer === null || typeof answer !== 'object') throw err;
      return answer;
    }
  };
}

/** This node's queries and every other node's. */
export async function clusterListing(peers: PeerCalls | undefined, queries: InsightsQueries): Promise<QueryListing[]> {
  const mine = listing(queries);
  if (!peers) return mine;
  const theirs = (await peers.askAll(LIST, {})).filter(Array.isArray).flat() as QueryListing[];
  return [...mine, ...theirs];
}
