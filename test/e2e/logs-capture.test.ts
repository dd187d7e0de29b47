// What a function writes ends up in its log as Lambda users know it: a log group per function,
// a stream per environment, START/END/REPORT lines exactly as Lambda prints them (Init Duration
// on cold starts only), each runtime's own line formats — and every stored line, formatted or
// not (plain stdout, stderr, a child process), tied to the request that was running.
import { DescribeLogGroupsCommand, DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Postgres, parseDatabaseUrl } from '../../src/database/index.js';
import { storeArgs } from '../helpers/database.js';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, PYTHON, createFunction, invoke, probe, type RuntimeCase } from '../helpers/functions.js';
import { ISO, filterAll, invocationLog, invokeJson, reportPattern, type EventJson } from '../helpers/logs.js';

let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin();
});
afterAll(async () => {
  await lk?.stop();
});

const TALKERS: Record<'node' | 'python', string> = {
  node: `
const { execFileSync } = require('node:child_process');
exports.lambda_handler = async (event, context) => {
  console.log('log line', event.tag);
  console.info('info line', event.tag);
  console.warn('warn line', event.tag);
  console.error('error line', event.tag);
  console.debug('debug line', event.tag);
  console.log('multi\\nline\\nmessage', event.tag);
  process.stdout.write('plain stdout ' + event.tag + '\\n');
  process.stderr.write('plain stderr ' + event.tag + '\\n');
  execFileSync(process.execPath, ['-e', 'process.stdout.write("child process " + process.argv[1] + "\\\\n")', event.tag], { stdio: 'inherit' });
  if (event.big) process.stdout.write('x'.repeat(event.big) + '\\n');
  return { stream: context.logStreamName };
};
`,
  python: `
import logging, subprocess, sys
logging.getLogger().setLevel(logging.INFO)
def lambda_handler(event, context):
    tag = event['tag']
    print('print line', tag)
    logging.info('logging info %s', tag)
    logging.warning('logging warning %s', tag)
    logging.error('logging error %s', tag)
    sys.stderr.write('plain stderr ' + tag + '\\n')
    sys.stderr.flush()
    subprocess.run([sys.executable, '-c', 'import sys; print("child process " + sys.argv[1])', tag], check=True)
    if event.get('big'):
        print('x' * event['big'])
    return {'stream': context.log_stream_name}
`,
};

/** The lines each runtime writes for tag `t` (besides START/END/REPORT), as the user should see them. */
function expectedLines(rt: RuntimeCase, id: string, t: string): { pattern: RegExp; level: string }[] {
  const child = { pattern: new RegExp(`^child process ${t}$`), level: 'INFO' };
  if (rt.label === 'node') {
    const line = (level: string, text: string) => ({ pattern: new RegExp(`^${ISO}\\t${id}\\t${level}\\t${text}$`), level });
    return [
      line('INFO', `log line ${t}`), line('INFO', `info line ${t}`), line('WARN', `warn line ${t}`),
      line('ERROR', `error line ${t}`), line('DEBUG', `debug line ${t}`), line('INFO', `multi\\nline\\nmessage ${t}`),
      { pattern: new RegExp(`^plain stdout ${t}$`), level: 'INFO' }, { pattern: new RegExp(`^plain stderr ${t}$`), level: 'ERROR' }, child,
    ];
  }
  const logged = (level: string, shown: string, text: string) => ({ pattern: new RegExp(`^\\[${level}\\]\\t${ISO}\\t${id}\\t${text}$`), level: shown });
  return [
    { pattern: new RegExp(`^print line ${t}$`), level: 'INFO' },
    logged('INFO', 'INFO', `logging info ${t}`), logged('WARNING', 'WARN', `logging warning ${t}`), logged('ERROR', 'ERROR', `logging error ${t}`),
    { pattern: new RegExp(`^plain stderr ${t}$`), level: 'ERROR' }, child,
  ];
}

function checkInvocationLog(rt: RuntimeCase, id: string, t: string, events: EventJson[], cold: boolean, stream: string): void {
  expect(events[0]!.message).toMatch(new RegExp(`^START RequestId: ${id} Version: \\$LATEST$`));
  expect(events.at(-2)!.message).toBe(`END RequestId: ${id}`);
  const report = reportPattern(id, 128, cold).exec(events.at(-1)!.message);
  expect(report, events.at(-1)!.message).not.toBeNull();
  const [, duration, billed, maxMemory] = report!;
  // Billed is the exact duration rounded up; Duration is shown rounded to 2 decimals.
  expect(Number(billed)).toBeGreaterThanOrEqual(Math.max(1, Math.floor(Number(duration))));
  expect(Number(billed) - Number(duration)).toBeLessThan(1.01);
  expect(Number(maxMemory)).toBeGreaterThan(0);
  if (!cold) expect(events.at(-1)!.message).not.toContain('Init Duration');
  // Every line: this request, this environment's stream; the user's lines each once, with their level.
  for (const e of events) {
    expect(e.requestId).toBe(id);
    expect(e.logStream).toBe(stream);
  }
  const user = events.slice(1, -2);
  for (const want of expectedLines(rt, id, t)) {
    const found = user.filter((e) => want.pattern.test(e.message));
    expect(found.map((e) => e.message), String(want.pattern)).toHaveLength(1);
    expect(found[0]!.level).toBe(want.level);
  }
}

/** How many of each request's START, END and REPORT are stored as event rows, in either store. */
async function platformRows(dataDir: string, requestIds: string[]): Promise<number[]> {
  const [, url] = await storeArgs(dataDir);
  if (url === undefined) {
    const db = new Database(join(dataDir, 'logs.db'), { readonly: true });
    const count = db.prepare(`SELECT count(e.id) FROM requests r LEFT JOIN log_events e ON e.request = r.id AND e.level = 'PLATFORM'
                              WHERE r.request_id = ?`).pluck();
    const rows = requestIds.map((id) => count.get(id) as number);
    db.close();
    return rows;
  }
  const pg = await Postgres.connect(parseDatabaseUrl(url), { maxConnections: 1 });
  try {
    const counted = await pg.query<{ request_id: string; n: number }>(
      `SELECT request_id, count(*)::bigint AS n FROM log_events WHERE request_id = ANY($1::text[]) AND level = 'PLATFORM' GROUP BY request_id`, [requestIds]);
    return requestIds.map((id) => counted.find((c) => c.request_id === id)?.n ?? 0);
  } finally {
    await pg.close();
  }
}

describe.each([NODE, PYTHON])('$label', (rt) => {
  it('stores every line of an invocation in its environment\'s stream, tied to its request, between START and END/REPORT', async () => {
    const name = `talker-${rt.label}`;
    await createFunction(lk.lambda, name, rt, { [rt.file]: TALKERS[rt.label] }, { Timeout: 30 });
    const cold = await invokeJson(lk.lambda, name, { tag: 't1' });
    const warm = await invokeJson(lk.lambda, name, { tag: 't2' });
    expect(cold.FunctionError).toBeUndefined();
    const stream = (cold.body as { stream: string }).stream;
    expect((warm.body as { stream: string }).stream).toBe(stream);

    const first = await invocationLog(lk, cold.requestId);
    checkInvocationLog(rt, cold.requestId, 't1', first.events, true, stream);
    expect(first.invocation).toMatchObject({ requestId: cold.requestId, functionName: name, cold: true, outcome: 'success' });
    const second = await invocationLog(lk, warm.requestId);
    checkInvocationLog(rt, warm.requestId, 't2', second.events, false, stream);
    expect(second.invocation).toMatchObject({ cold: false, outcome: 'success' });

    // The same lines through CloudWatch Logs: the group, the stream, in order.
    const groups = await lk.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/aws/lambda/${name}` }));
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual([`/aws/lambda/${name}`]);
    const got = await lk.logs.send(new GetLogEventsCommand({ logGroupName: `/aws/lambda/${name}`, logStreamName: stream, startFromHead: true }));
    expect(got.events?.map((e) => e.message)).toEqual([...first.events, ...second.events].map((e) => e.message));
    // START, END and REPORT of an invocation written in one batch with its record are kept in the
    // record, not stored as rows (platform-events.ts): whole or not at all (a batch written while
    // the invocation ran — its timer, or a read — leaves them as rows).
    // A loaded machine may write a batch in the middle of every invocation: invoke until one is
    // kept (each read writes what is queued, so one that ran between two batches is).
    const ids = [cold.requestId, warm.requestId];
    let rows = await platformRows(lk.dataDir, ids);
    for (let i = 0; i < 12 && !rows.includes(0); i++) {
      ids.push((await invokeJson(lk.lambda, name, { tag: `t${i + 3}` })).requestId);
      await invocationLog(lk, ids.at(-1)!);
      rows = await platformRows(lk.dataDir, ids);
    }
    expect(rows.every((n) => n === 0 || n === 3), rows.join(' ')).toBe(true);
    expect(rows, 'kept for at least one invocation').toContain(0);
  });

  it('answers X-Amz-Log-Type: Tail with the last 4 KB of the invocation\'s log', async () => {
    const name = `tail-${rt.label}`;
    await createFunction(lk.lambda, name, rt, { [rt.file]: TALKERS[rt.label] }, { Timeout: 30 });
    const small = await invokeJson(lk.lambda, name, { tag: 'small' }, true);
    const text = Buffer.from(small.LogResult!, 'base64').toString('utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(`START RequestId: ${small.requestId} Version: $LATEST`);
    expect(text).toContain(rt.label === 'node' ? `INFO\tlog line small` : 'print line small');
    expect(lines.at(-2)).toBe(`END RequestId: ${small.requestId}`);
    expect(lines.at(-1)).toMatch(reportPattern(small.requestId, 128, true));

    const big = await invokeJson(lk.lambda, name, { tag: 'big', big: 20_000 }, true);
    const tail = Buffer.from(big.LogResult!, 'base64');
    expect(tail.length).toBe(4096);
    expect(tail.toString('utf8').trimEnd().split('\n').at(-1)).toMatch(reportPattern(big.requestId, 128, false));
    // Without the header, no log comes back.
    expect((await invokeJson(lk.lambda, name, { tag: 'none' })).LogResult).toBeUndefined();
  });
});

describe('environments', () => {
  it('gives 8 concurrent invokes 8 streams, each with Init Duration on its first REPORT only', async () => {
    const name = 'fanout-logs';
    await createFunction(lk.lambda, name, NODE, probe(NODE), { Timeout: 60 });
    // 8 at once, each long enough that none is free when the next arrives.
    const results = await Promise.all(Array.from({ length: 8 }, () => invoke(lk.lambda, name, { op: 'sleep', ms: 1000 })));
    const failed = results.find((r) => r.functionError);
    if (failed) throw new Error(`invoke failed: ${JSON.stringify(failed.body)}; its log: ${JSON.stringify((await invocationLog(lk, failed.requestId!)).events.map((e) => e.message))}`);
    const contextStreams = new Set(results.map((r) => String(r.body.context.logStreamName)));
    expect(contextStreams.size).toBe(8);
    for (let i = 0; i < 8; i++) await invoke(lk.lambda, name); // warm, sequential

    const group = `/aws/lambda/${name}`;
    const described = await lk.logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
    const names = described.logStreams!.map((s) => s.logStreamName!);
    expect(new Set(names)).toEqual(contextStreams);
    for (const s of described.logStreams!) {
      expect(s.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      expect(s.firstEventTimestamp).toBeGreaterThanOrEqual(s.creationTime!);
    }
    const reports = await filterAll(lk.logs, { logGroupName: group, filterPattern: 'REPORT' });
    expect(reports).toHaveLength(16);
    for (const stream of names) {
      const own = reports.filter((r) => r.logStreamName === stream).map((r) => r.message!);
      expect(own.length).toBeGreaterThanOrEqual(1);
      expect(own[0]).toContain('\tInit Duration: ');
      for (const later of own.slice(1)) expect(later).not.toContain('Init Duration');
    }
  });
});
