// Logs Insights over the CloudWatch Logs API (POST / with X-Amz-Target), as the AWS SDK calls it:
// StartQuery, then GetQueryResults until the query has ended. The query history stays in this
// browser (localStorage), newest first, at most HISTORY_MAX entries.
import { call } from './api.js';

export interface QueryResult {
  readonly status: string;
  readonly rows: Record<string, string>[];
  readonly fields: string[];
  readonly matched: number;
  readonly scanned: number;
}

const HISTORY_KEY = 'lambkin.queryHistory';
const HISTORY_MAX = 20;
const POLL_MS = 150;

const logsCall = <T>(operation: string, input: object, signal?: AbortSignal) => call<T>('/', {
  method: 'POST', body: JSON.stringify(input), signal,
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${operation}` },
});

export async function logGroups(signal: AbortSignal): Promise<string[]> {
  const page = await logsCall<{ logGroups?: { logGroupName: string }[] }>('DescribeLogGroups', { limit: 50 }, signal);
  return (page.logGroups ?? []).map((g) => g.logGroupName);
}

/** Runs `queryString` over `groups` for the last `sinceMs`; resolves once it has ended. */
export async function runQuery(queryString: string, groups: readonly string[], sinceMs: number, signal: AbortSignal): Promise<QueryResult> {
  const now = Date.now();
  const { queryId } = await logsCall<{ queryId: string }>('StartQuery', {
    logGroupNames: groups, queryString, startTime: Math.floor((now - sinceMs) / 1000), endTime: Math.ceil(now / 1000), limit: 10_000,
  }, signal);
  signal.addEventListener('abort', () => void logsCall('StopQuery', { queryId }).catch(() => undefined));
  for (;;) {
    const r = await logsCall<{ status: string; results?: { field: string; value: string }[][]; statistics?: { recordsMatched?: number; recordsScanned?: number } }>(
      'GetQueryResults', { queryId }, signal);
    if (r.status !== 'Scheduled' && r.status !== 'Running') {
      const fields: string[] = [];
      const rows = (r.results ?? []).map((cells) => {
        const row: Record<string, string> = {};
        for (const c of cells) {
          if (c.field === '@ptr') continue;
          if (!fields.includes(c.field)) fields.push(c.field);
          row[c.field] = c.value;
        }
        return row;
      });
      return { status: r.status, rows, fields, matched: r.statistics?.recordsMatched ?? 0, scanned: r.statistics?.recordsScanned ?? 0 };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export function history(): string[] {
  try {
    const list: unknown = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((q): q is string => typeof q === 'string') : [];
  } catch {
    return [];
  }
}

export function remember(query: string): void {
  const list = [query, ...history().filter((q) => q !== query)].slice(0, HISTORY_MAX);
  localStorage.setItem(HISTORY_KEY, JSON.stringify(list));
}

/** Whether the query's last command is `stats … by bin(…)`: its rows are a time series. */
export function binned(query: string): boolean {
  const commands = query.split('|');
  return /^\s*stats\b[\s\S]*\bby\b[\s\S]*\bbin\s*\(/i.test(commands[commands.length - 1] ?? '');
}
