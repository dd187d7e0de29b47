// `lambkin query <function> '<query>'`: a Logs Insights query over the function's log group, run
// on the server (StartQuery), polled to its end, printed as a table (or JSON). A malformed query
// is shown with a caret under the place the server names.
import type { Command } from 'commander';
import { isApiError, type LambkinClient, type QueryResultsView } from '../client/index.js';
import { clientFor } from './context.js';
import { note, out, paint, table, UsageError } from './output.js';
import { parseSince } from './since.js';

interface QueryOptions {
  since?: string;
  until?: string;
  limit?: string;
  json?: boolean;
}

const POLL_MS = 150;

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run a Logs Insights query over a function\'s log, e.g. \'filter @type = "REPORT" | stats avg(@duration) by bin(5m)\'')
    .argument('<function>', 'function name')
    .argument('<query>', 'the query (fields, filter, stats, sort, limit, parse, display, dedup)')
    .option('--since <time>', 'from this time: 10m, 2h, 7d ago, or an ISO time (default 1h)')
    .option('--until <time>', 'up to this time (default now)')
    .option('--limit <n>', 'at most this many rows (default and most 10000)')
    .option('--json', 'the rows as JSON objects, one per line')
    .action(async (name: string, queryString: string, opts: QueryOptions, cmd: Command) => {
      const client = clientFor(cmd);
      const since = parseSince(opts.since ?? '1h');
      const until = opts.until === undefined ? Date.now() : parseSince(opts.until, '--until');
      const limit = opts.limit === undefined ? undefined : Number(opts.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 10_000)) throw new UsageError('--limit takes a whole number from 1 to 10000');
      const result = await run(client, { logGroupNames: [`/aws/lambda/${name}`], startTime: Math.floor(since / 1000), endTime: Math.floor(until / 1000), queryString, limit });
      const rows = result.results.map((fields) => Object.fromEntries(fields.map((f) => [f.field, f.value])));
      if (opts.json) {
        for (const row of rows) out(JSON.stringify(row));
        return;
      }
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      if (rows.length === 0) out('(no rows)');
      else {
        const separator = columns.map((c) => '-'.repeat(Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length))));
        const [head, ...body] = table(columns, [separator, ...rows.map((r) => columns.map((c) => r[c] ?? ''))], paint(process.stdout)).split('\n');
        out([head, ...body].join('\n').trimEnd());
      }
      const s = result.statistics;
      note(`${rows.length} row${rows.length === 1 ? '' : 's'}; ${s.recordsMatched} of ${s.recordsScanned} events matched`);
    });
}

async function run(client: LambkinClient, input: Parameters<LambkinClient['insights']['startQuery']>[0]): Promise<QueryResultsView> {
  let queryId: string;
  try {
    queryId = await client.insights.startQuery(input);
  } catch (err) {
    if (isApiError(err) && err.name === 'MalformedQueryException') throw new UsageError(`${err.message}\n${pointAt(input.queryString, err.fields)}`);
    throw err;
  }
  let stop = false;
  const end = () => {
    stop = true;
  };
  process.once('SIGINT', end);
  try {
    for (;;) {
      const r = await client.insights.getQueryResults(queryId);
      if (r.status === 'Complete') return r;
      if (r.status !== 'Scheduled' && r.status !== 'Running') throw new UsageError(`the query ended ${r.status}${r.failureReason ? `: ${r.failureReason}` : ''}`);
      if (stop) {
        await client.insights.stopQuery(queryId);
        throw new UsageError('the query was stopped');
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    process.off('SIGINT', end);
  }
}

/** The query's line with the error, and a caret under its place. */
function pointAt(query: string, fields: Record<string, unknown> | undefined): string {
  const location = (fields?.queryCompileError as { location?: { startCharOffset?: number } } | undefined)?.location;
  const at = location?.startCharOffset;
  if (typeof at !== 'number' || at < 0 || at > query.length) return '';
  const lineStart = query.lastIndexOf('\n', at - 1) + 1;
  const lineEnd = query.indexOf('\n', at);
  return `${query.slice(lineStart, lineEnd < 0 ? undefined : lineEnd)}\n${' '.repeat(at - lineStart)}^`;
}
