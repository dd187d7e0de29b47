// GetQueryResults: a query's status, its statistics so far, and its rows as lists of
// {field, value}: all of them once Complete, those found so far while Running. A Failed query says why in `failureReason` (lambkin's own member; the
// SDKs ignore members they do not know).
import { z } from 'zod';
import type { InsightsQueries } from '../../../logs/insights/index.js';
import { parseBody } from '../input.js';
import type { LogsOperation } from '../routes.js';
import { queryId, requireQuery } from './query-input.js';

const Input = z.object({ queryId });

export function getQueryResults(queries: InsightsQueries): LogsOperation {
  return (body) => {
    const q = requireQuery(queries, parseBody(Input, body).queryId);
    return { results: queries.rows(q), statistics: { ...q.statistics }, status: q.status, ...(q.failure ? { failureReason: q.failure } : {}) };
  };
}
