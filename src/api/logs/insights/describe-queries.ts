// DescribeQueries: the queries lambkin remembers (running, waiting, and the most recent ended
// ones), newest first, by group and status; nextToken is the place in that list.
import { z } from 'zod';
import type { InsightsQueries } from '../../../logs/insights/index.js';
import { invalidParameter } from '../errors.js';
import { groupName, parseBody } from '../input.js';
import type { LogsOperation } from '../routes.js';

const Input = z.object({
  logGroupName: groupName.optional(),
  status: z.enum(['Scheduled', 'Running', 'Complete', 'Failed', 'Cancelled', 'Timeout', 'Unknown']).optional(),
  maxResults: z.number().int().min(1).max(1000).optional(),
  nextToken: z.string().min(1).optional(),
  queryLanguage: z.literal('CWLI').optional(),
});

export function describeQueries(queries: InsightsQueries): LogsOperation {
  return (body) => {
    const input = parseBody(Input, body);
    const from = input.nextToken === undefined ? 0 : Number(input.nextToken);
    if (!/^\d{1,9}$/.test(input.nextToken ?? '0')) throw invalidParameter('The specified nextToken is invalid.');
    const max = input.maxResults ?? 1000;
    const matching = queries.list().filter((q) => (input.logGroupName === undefined || q.groups.includes(input.logGroupName)) && (input.status === undefined || q.status === input.status));
    const page = matching.slice(from, from + max);
    return {
      queries: page.map((q) => ({ queryId: q.queryId, queryString: q.queryString, status: q.status, createTime: q.createTime, logGroupName: q.groups[0], queryLanguage: 'CWLI' })),
      nextToken: from + max < matching.length ? String(from + max) : undefined,
    };
  };
}
