// Logs Insights through the clients people use, unchanged: StartQuery / GetQueryResults /
// StopQuery / DescribeQueries / GetLogGroupFields with the AWS SDK and `aws logs`, running AWS's
// sample Lambda queries over invocations this test ran, and checking their numbers against the
// invocation records and the REPORT lines; parse, regex and JSON field queries; malformed queries.
import { execFile } from 'node:child_process';
import {
  DescribeQueriesCommand, GetLogGroupFieldsCommand, GetQueryResultsCommand, MalformedQueryException, ResourceNotFoundException,
  StartQueryCommand, StopQueryCommand, type GetQueryResultsCommandOutput, type StartQueryCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, createFunction, waitFor } from '../helpers/functions.js';
import { api, filterAll, invokeJson, type InvocationJson } from '../helpers/logs.js';
import { runCli } from '../helpers/cli.js';
import { failure } from '../helpers/failure.js';

let lk: Lambkin;
const NAME = 'insights-fn';
const GROUP = `/aws/lambda/${NAME}`;
const CODE = `exports.lambda_handler = async (event) => {
  if (event.sleep) await new Promise((r) => setTimeout(r, event.sleep));
  console.log(JSON.stringify({ level: event.fail ? 'error' : 'info', orderId: event.orderId, amount: event.amount, customer: { tier: event.tier } }));
  if (event.fail) process.stdout.write('error: payment declined for ' + event.orderId + '\\n');
  process.stdout.write('user=' + event.user + ' took ' + event.amount + ' ms\\n');
  return 'ok';
};`;

interface Order { orderId: string; amount: number; user: string; tier: string; fail: boolean; sleep?: number }
const ORDERS: Order[] = Array.from({ length: 12 }, (_, i) => ({
  orderId: `o-${i}`, amount: 10 * (i + 1), user: `u${i % 3}`, tier: i % 4 === 0 ? 'gold' : 'basic', fail: i % 5 === 2, sleep: i < 3 ? 300 : undefined,
}));

let records: InvocationJson[];
let reports: { timestamp: number; duration: number }[];
const window = () => ({ startTime: Math.floor(Date.now() / 1000) - 3600, endTime: Math.floor(Date.now() / 1000) + 60 });

beforeAll(async () => {
  lk = await startLambkin();
  await createFunction(lk.lambda, NAME, NODE, { [NODE.file]: CODE }, { Timeout: 30 });
  // Three at once (three cold starts, three streams), then the rest one by one (warm).
  await Promise.all(ORDERS.slice(0, 3).map((o) => invokeJson(lk.lambda, NAME, o)));
  for (const o of ORDERS.slice(3)) await invokeJson(lk.lambda, NAME, o);
  records = await waitFor('12 invocation records', async () => {
    const r = (await api<{ invocations: InvocationJson[] }>(lk, `/lambkin/v1/invocations?function=${NAME}&limit=100`)).body.invocations;
    return r.length === ORDERS.length ? r : undefined;
  });
  const lines = await waitFor('12 REPORT lines', async () => {
    const found = await filterAll(lk.logs, { logGroupName: GROUP, filterPattern: '"REPORT RequestId"' });
    return found.length === ORDERS.length ? found : undefined;
  });
  reports = lines.map((e) => ({ timestamp: e.timestamp!, duration: Number(/Duration: ([\d.]+) ms/.exec(e.message!)![1]) }));
});
afterAll(async () => {
  await lk?.stop();
});

type Row = Record<string, string>;

async function query(queryString: string, more: Partial<StartQueryCommandInput> = {}): Promise<{ rows: Row[]; out: GetQueryResultsCommandOutput }> {
  const { queryId } = await lk.logs.send(new StartQueryCommand({ logGroupName: GROUP, ...window(), queryString, ...more }));
  const out = await waitFor(`query ${queryId} to end`, async () => {
    const r = await lk.logs.send(new GetQueryResultsCommand({ queryId }));
    return r.status === 'Scheduled' || r.status === 'Running' ? undefined : r;
  });
  expect(out.status).toBe('Complete');
  return { rows: (out.results ?? []).map((fields) => Object.fromEntries(fields.map((f) => [f.field!, f.value!]))), out };
}

const nearestRank = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const bin = (ms: number, span: number) => {
  const iso = new Date(Math.floor(ms / span) * span).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
};

describe("AWS's sample Lambda queries", () => {
  it('filter @type = "REPORT" | stats avg(@duration), max(@duration), pct(@duration, 95) by bin(5m)', async () => {
    const { rows, out } = await query('filter @type = "REPORT" | stats avg(@duration), max(@duration), pct(@duration, 95) by bin(5m)');
    const bins = new Map<string, number[]>();
    for (const r of reports) bins.set(bin(r.timestamp, 300_000), [...(bins.get(bin(r.timestamp, 300_000)) ?? []), r.duration]);
    expect(rows.map((r) => r['bin(5m)'])).toEqual([...bins.keys()]);
    for (const row of rows) {
      const ds = bins.get(row['bin(5m)']!)!;
      expect(Number(row['avg(@duration)'])).toBeCloseTo(ds.reduce((a, b) => a + b) / ds.length, 6);
      expect(Number(row['max(@duration)'])).toBe(Math.max(...ds));
      expect(Number(row['pct(@duration, 95)'])).toBe(nearestRank(ds, 95));
    }
    // The REPORT lines' durations are the records' (Lambda prints them to two decimals).
    expect(reports.map((r) => r.duration).sort((a, b) => a - b)).toEqual(records.map((r) => Number(r.durationMs.toFixed(2))).sort((a, b) => a - b));
    expect(out.statistics!.recordsMatched).toBe(ORDERS.length);
    expect(out.statistics!.recordsScanned).toBeGreaterThanOrEqual(ORDERS.length);
    expect(out.statistics!.bytesScanned).toBeGreaterThan(0);
  });

  it('filter @type = "REPORT" and ispresent(@initDuration) | stats count() as coldStarts by bin(1h)', async () => {
    const { rows } = await query('filter @type = "REPORT" and ispresent(@initDuration) | stats count() as coldStarts by bin(1h)');
    const cold = records.filter((r) => r.cold).length;
    expect(cold).toBeGreaterThanOrEqual(1);
    expect(rows.reduce((n, r) => n + Number(r.coldStarts), 0)).toBe(cold);
  });

  it('fields @timestamp, @message | filter @message like /error/ | sort @timestamp desc | limit 20', async () => {
    const { rows } = await query('fields @timestamp, @message | filter @message like /error/ | sort @timestamp desc | limit 20');
    const all = await filterAll(lk.logs, { logGroupName: GROUP });
    const want = all.filter((e) => e.message!.includes('error')).reverse().slice(0, 20);
    expect(rows.map((r) => r['@message'])).toEqual(want.map((e) => e.message));
    expect(rows.map((r) => r['@timestamp'])).toEqual(want.map((e) => bin(e.timestamp!, 1)));
    // Failed orders log `"level":"error"` and an `error:` line each.
    expect(rows).toHaveLength(2 * ORDERS.filter((o) => o.fail).length);
  });

  it('stats count(*) by @logStream: one row per environment, as the records have them', async () => {
    const { rows } = await query('filter @type = "REPORT" | stats count(*) as n by @logStream | sort n desc');
    const byStream = new Map<string, number>();
    for (const r of records) byStream.set(r.logStream!, (byStream.get(r.logStream!) ?? 0) + 1);
    expect(Object.fromEntries(rows.map((r) => [r['@logStream'], Number(r.n)]))).toEqual(Object.fromEntries(byStream));
  });
});

describe('fields found in the lines', () => {
  it('JSON fields, nested with dots', async () => {
    const { rows } = await query('fields orderId, amount, customer.tier as tier | filter level = "info" and amount > 60 | sort amount desc');
    const want = ORDERS.filter((o) => !o.fail && o.amount > 60).sort((a, b) => b.amount - a.amount);
    expect(rows).toEqual(want.map((o) => ({ orderId: o.orderId, amount: String(o.amount), tier: o.tier })));
  });

  it('parse with a glob, then stats on what it found', async () => {
    const { rows } = await query('parse @message "user=* took * ms" as user, took | filter ispresent(user) | stats sum(took) as total, count(*) as n by user | sort user');
    const want = ['u0', 'u1', 'u2'].map((u) => {
      const mine = ORDERS.filter((o) => o.user === u);
      return { user: u, total: String(mine.reduce((a, o) => a + o.amount, 0)), n: String(mine.length) };
    });
    expect(rows).toEqual(want);
  });

  it('parse with a regex', async () => {
    const { rows } = await query('parse @message /declined for (?<order>o-\\d+)/ | filter ispresent(order) | display order | sort order');
    expect(rows.map((r) => r.order)).toEqual(ORDERS.filter((o) => o.fail).map((o) => o.orderId).sort());
  });

  it('GetLogGroupFields names the system, REPORT and JSON fields', async () => {
    const out = await lk.logs.send(new GetLogGroupFieldsCommand({ logGroupName: GROUP }));
    const names = out.logGroupFields!.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['@timestamp', '@message', '@logStream', '@requestId', '@type', '@duration', '@maxMemoryUsed', 'orderId', 'customer.tier']));
    expect(out.logGroupFields!.find((f) => f.name === '@message')!.percent).toBe(100);
  });
});

describe('errors and control', () => {
  it('a malformed query is MalformedQueryException with its place', async () => {
    const err = await failure(lk.logs.send(new StartQueryCommand({ logGroupName: GROUP, ...window(), queryString: 'fields @message | stats avg(@duration' })));
    expect(err).toBeInstanceOf(MalformedQueryException);
    const e = err as MalformedQueryException;
    expect(e.message).toContain('line 1, column 38');
    expect(e.queryCompileError?.location).toEqual({ startCharOffset: 37, endCharOffset: 37 });
  });

  it('a group that does not exist, and a query id that does not', async () => {
    await expect(lk.logs.send(new StartQueryCommand({ logGroupName: '/aws/lambda/nope', ...window(), queryString: 'fields @message' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(lk.logs.send(new GetQueryResultsCommand({ queryId: 'no-such-query' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(lk.logs.send(new StopQueryCommand({ queryId: 'no-such-query' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('StopQuery: a query that is running ends Cancelled; one that ended cannot be stopped', async () => {
    const { queryId } = await lk.logs.send(new StartQueryCommand({ logGroupName: GROUP, ...window(), queryString: 'stats count(*)' }));
    const stopped = await lk.logs.send(new StopQueryCommand({ queryId }));
    const ended = await waitFor('the query to end', async () => {
      const r = await lk.logs.send(new GetQueryResultsCommand({ queryId }));
      return r.status === 'Scheduled' || r.status === 'Running' ? undefined : r;
    });
    // Whether the stop came in time is up to the machine: each answer must agree with the other.
    expect(ended.status).toBe(stopped.success ? 'Cancelled' : 'Complete');
    const again = await lk.logs.send(new StopQueryCommand({ queryId }));
    expect(again.success).toBe(false);
  });

  it('DescribeQueries lists them newest first, by status', async () => {
    const { out } = await query('fields @message | limit 1');
    expect(out.status).toBe('Complete');
    const listed = await lk.logs.send(new DescribeQueriesCommand({ logGroupName: GROUP, status: 'Complete', maxResults: 2 }));
    expect(listed.queries![0]).toMatchObject({ queryString: 'fields @message | limit 1', status: 'Complete', logGroupName: GROUP });
    expect(listed.queries).toHaveLength(2);
    expect(listed.nextToken).toBeDefined();
    const next = await lk.logs.send(new DescribeQueriesCommand({ logGroupName: GROUP, status: 'Complete', maxResults: 2, nextToken: listed.nextToken }));
    expect(next.queries![0]!.queryId).not.toBe(listed.queries![0]!.queryId);
  });
});

describe('command-line clients', () => {
  const aws = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('aws', ['--endpoint-url', lk.url, '--region', 'us-east-1', '--output', 'json', 'logs', ...args], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '' },
    }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code) || 1 : 0, stdout, stderr }));
  });

  it('aws logs start-query / get-query-results', async (ctx) => {
    const version = await new Promise<string>((r) => execFile('aws', ['--version'], (err, out, errOut) => r(err ? '' : out + errOut)));
    if (!version) ctx.skip();
    const { startTime, endTime } = window();
    const started = await aws('start-query', '--log-group-name', GROUP, '--start-time', String(startTime), '--end-time', String(endTime),
      '--query-string', 'filter @type = "REPORT" | stats count(*) as invocations, max(@memorySize) as memory');
    expect(started.code, started.stderr).toBe(0);
    const { queryId } = JSON.parse(started.stdout) as { queryId: string };
    const results = await waitFor('the query to end', async () => {
      const r = await aws('get-query-results', '--query-id', queryId);
      expect(r.code, r.stderr).toBe(0);
      const body = JSON.parse(r.stdout) as { status: string; results: { field: string; value: string }[][] };
      return body.status === 'Complete' ? body : undefined;
    });
    expect(results.results).toEqual([[{ field: 'invocations', value: String(ORDERS.length) }, { field: 'memory', value: '128' }]]);
  });

  it('lambkin query prints the table', async () => {
    const run = await runCli(lk.url, 'query', NAME, 'filter @type = "REPORT" | stats count(*) as invocations by @logStream | sort invocations desc', '--since', '1h');
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^@logStream\s+invocations$/);
    const streams = new Set(records.map((r) => r.logStream));
    expect(lines.slice(2)).toHaveLength(streams.size);
    expect(lines.slice(2).reduce((n, l) => n + Number(l.trim().split(/\s+/).pop()), 0)).toBe(ORDERS.length);
  });

  it('lambkin query says where a malformed query is wrong', async () => {
    const run = await runCli(lk.url, 'query', NAME, 'stats count(*) by bin(5 minutes)');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('line 1, column 25');
    expect(run.stderr).toContain('stats count(*) by bin(5 minutes)\n' + ' '.repeat(24) + '^');
  });
});
