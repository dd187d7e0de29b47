// DescribeQueries: the queries lambkin remembers (running, waiting, and the most recent ended
// ones; on a cluster, every node's), newest first, by group and status; nextToken is the place in that list.
import { z } from 'zod';
import { invalidParameter } from '../errors.js';
import { groupName, parseBody } from '../input.js';
import type { LogsOperation } from '../routes.js';
import type { QueryListing } from './peers.js';

const Input = z.object({
  logGroupName: groupName.optional(),
  status: z.enum(['Scheduled', 'Running', 'Complete', 'Failed', 'Cancelled', 'Timeout', 'Unknown']).optional(),
  maxResults: z.number().int().min(1).max(1000).optional(),
  nextToken: z.string().min(1).optional(),
  queryLanguage: z.literal('CWLI').optional(),
});

/** `list`: the queries to describe (this node's, or on a cluster every node's). */
export function describeQueries(list: () => Promise<readonly QueryListing[]>): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    const from = input.nextToken === undefined ? 0 : Number(input.nextToken);
    if (!/^\d{1,9}$/.test(input.nextToken ?? '0')) throw invalidParameter('The specified nextToken is invalid.');
    const max = input.maxResults ?? 1000;
    // Newest first; on a cluster the nodes' lists are merged (createTime ties keep each node's order).
    const all = [...await list()].sort((a, b) => b.createTime - a.createTime);
    const matching = all.filter((q) => (input.logGroupName === undefined || q.groups.includes(input.logGroupName)) && (input.status === undefined || q.status === input.status));
    const page = matching.slice(from, from + max);
    return {
      queries: page.map((q) => ({ queryId: q.queryId, queryString: q.queryString, status: q.status, createTime: q.createTime, logGroupName: q.groups[0], queryLanguage: 'CWLI' })),
      nextToken: from + max < matching.length ? String(from + max) : undefined,
    };
  };
}
