// StartQuery: a Logs Insights query over one or more groups and a time range (epoch seconds, both
// ends included) is compiled at once — a bad query is MalformedQueryException with where — and
// then runs in the background; the answer is its queryId (GetQueryResults polls it).
import { z } from 'zod';
import type { LogReader } from '../../../logs/index.js';
import { MalformedQueryError, parseQuery, MAX_RESULT_ROWS, type InsightsQueries, type Query } from '../../../logs/insights/index.js';
import { ACCOUNT_ID } from '../../../registry/index.js';
import { invalidParameter, LogsError } from '../errors.js';
import { groupIdentifier, groupName, groupNameOf, parseBody } from '../input.js';
import type { LogsOperation } from '../routes.js';

/** Seconds; a bound that keeps seconds × 1000 a safe integer (and refuses milliseconds by mistake far ahead). */
const seconds = z.number().int().min(0).max(1e11);

const Input = z.object({
  logGroupName: groupName.optional(),
  logGroupNames: z.array(groupName).min(1).max(50).optional(),
  logGroupIdentifiers: z.array(groupIdentifier).min(1).max(50).optional(),
  startTime: seconds,
  endTime: seconds,
  queryString: z.string().max(10_000),
  limit: z.number().int().min(1).max(MAX_RESULT_ROWS).optional(),
  queryLanguage: z.literal('CWLI').optional(),
});

export function startQuery(store: LogReader, queries: InsightsQueries): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    const given = [input.logGroupName, input.logGroupNames, input.logGroupIdentifiers].filter((g) => g !== undefined).length;
    if (given !== 1) throw invalidParameter('Specify exactly one of logGroupName, logGroupNames or logGroupIdentifiers.');
    if (input.endTime < input.startTime) throw invalidParameter('endTime must not be before startTime.');
    const query = compile(input.queryString);
    const names = input.logGroupName !== undefined ? [input.logGroupName]
      : input.logGroupNames ?? input.logGroupIdentifiers!.map((id) => groupNameOf({ logGroupIdentifier: id }));
    const groups = [...new Set(names)];
    for (const name of groups) {
      if (!(await store.describeGroup(name))) throw new LogsError('ResourceNotFoundException', `Log group '${name}' does not exist.`);
    }
    // Too many open queries: LimitExceededException, thrown by start() itself.
    const queryId = queries.start({
      groups, startTime: input.startTime * 1000, endTime: (input.endTime + 1) * 1000, query, queryString: input.queryString,
      limit: input.limit ?? MAX_RESULT_ROWS, account: ACCOUNT_ID,
    });
    return { queryId };
  };
}

function compile(queryString: string): Query {
  try {
    return parseQuery(queryString);
  } catch (err) {
    if (!(err instanceof MalformedQueryError)) throw err;
    throw new LogsError('MalformedQueryException', err.message, {
      queryCompileError: { location: { startCharOffset: err.pos.start, endCharOffset: Math.max(err.pos.start, err.pos.end - 1) }, message: err.message },
    });
  }
}
