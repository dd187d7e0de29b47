// StopQuery: a scheduled or running query ends as Cancelled (a running one at its next page);
// success is false when it had already ended.
import { z } from 'zod';
import type { InsightsQueries } from '../../../logs/insights/index.js';
import { parseBody } from '../input.js';
import type { LogsOperation } from '../routes.js';
import { queryId, requireQuery } from './query-input.js';

const Input = z.object({ queryId });

export function stopQuery(queries: InsightsQueries): LogsOperation {
  return (body) => {
    const id = requireQuery(queries, parseBody(Input, body).queryId).queryId;
    return { success: queries.stop(id) === true };
  };
}
