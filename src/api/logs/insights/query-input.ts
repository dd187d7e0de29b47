// What the query operations share: the query id and finding its query.
import { z } from 'zod';
import type { InsightsQueries, QueryInfo } from '../../../logs/insights/index.js';
import { LogsError } from '../errors.js';

export const queryId = z.string().min(1).max(256);

export function requireQuery(queries: InsightsQueries, id: string): QueryInfo {
  const q = queries.get(id);
  if (!q) throw new LogsError('ResourceNotFoundException', `There is no query with id ${id} (lambkin keeps the most recent ended queries only).`);
  return q;
}
