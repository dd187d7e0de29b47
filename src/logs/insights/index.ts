// logs/insights/ owns CloudWatch Logs Insights' query language over any log store: the lexer and
// the recursive-descent parser (parser.ts, with MalformedQueryError positions), the evaluation of
// expressions, functions and aggregations, the streaming stages a query runs as, and the
// background runner with its limits (queries.ts). It reads the store only through LogReader.
export { parseQuery, MAX_RESULT_ROWS } from './parser.js';
export { MalformedQueryError, QueryFailure, type SourcePos } from './errors.js';
export { runQuery, type QueryStatistics, type ResultField, type RunSpec } from './execute.js';
export { InsightsQueries, DEFAULT_QUERY_LIMITS, type QueryInfo, type QueryLimits, type QueryStatus, type StartSpec } from './queries.js';
export { logGroupFields } from './fields.js';
export type { Query } from './ast.js';
