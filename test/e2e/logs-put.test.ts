// Applications and log shippers writing their own streams through the CloudWatch Logs API
// (CreateLogStream, PutLogEvents, DeleteLogStream) with the AWS SDK: CloudWatch's limits and
// answers (rejectedLogEventsInfo, InvalidParameterException), the events read back by their own
// timestamps through GetLogEvents, FilterLogEvents, Logs Insights, live tail and `lambkin logs`; and a
// Running Insights query's partial results over a group large enough to take several pages.
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, DeleteLogStreamCommand, DescribeLogStreamsCommand, GetLogEventsCommand,
  GetQueryResultsCommand, InvalidOperationException, InvalidParameterException, PutLogEventsCommand, ResourceAlreadyExistsException,
  ResourceNotFoundException, StartLiveTailCommand, StartQueryCommand, type GetQueryResultsCommandOutput, type InputLogEvent, type LiveTailSessionLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, createFunction, waitFor } from '../helpers/functions.js';
import { filterAll, invokeJson } from '../helpers/logs.js';
import { runCli } from '../helpers/cli.js';
import { awsCli, awsCliInstalled } from '../helpers/aws-cli.js';

let lk: Lambkin;
const NOW = Date.now();
const H = 3_600_000;
const DAY = 24 * H;

beforeAll(async () => {
  lk = await startLambkin();
});
afterAll(async () => {
  await lk?.stop();
});

async function query(group: string, queryString: string, startTime = NOW - 2 * DAY): Promise<GetQueryResultsCommandOutput> {
  const { queryId } = await lk.logs.send(new StartQueryCommand({ logGroupName: group, startTime: Math.floor(startTime / 1000), endTime: Math.floor(NOW / 1000) + 60, queryString }));
  return waitFor('the query to complete', async () => {
    const r = await lk.logs.send(new GetQueryResultsCommand({ queryId }));
    return r.status === 'Complete' ? r : r.status === 'Running' || r.status === 'Scheduled' ? undefined : Promise.reject(new Error(`query ended ${r.status}`));
  });
}

const rowsOf = (r: GetQueryResultsCommandOutput) => r.results!.map((row) => Object.fromEntries(row.map((f) => [f.field, f.value])));

describe('CreateLogStream, PutLogEvents, DeleteLogStream', () => {
  it('stores a shipper\'s batches by their own timestamps and reads them back through every API', async () => {
    const group = '/app/checkout';
    await lk.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await expect(lk.logs.send(new CreateLogStreamCommand({ logGroupName: '/app/none', logStreamName: 'a' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await lk.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'web-1' }));
    await expect(lk.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'web-1' }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    // Yesterday's lines arrive after today's, as a shipper catching up sends them.
    const today = await lk.logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'web-1', logEvents: [
      { timestamp: NOW - H, message: 'ERROR payment declined order=17' }, { timestamp: NOW - H + 5, message: 'INFO order=17 retried' },
    ] }));
    expect(today.nextSequenceToken).toMatch(/^\d+$/);
    expect(today.rejectedLogEventsInfo).toBeUndefined();
    await lk.logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'web-1', sequenceToken: 'ignored', logEvents: [
      { timestamp: NOW - DAY, message: 'INFO order=16 paid' }, { timestamp: NOW - DAY + 1000, message: 'ERROR timeout talking to bank' },
    ] }));
    const got = await lk.logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'web-1', startFromHead: true }));
    expect(got.events!.map((e) => [e.timestamp, e.message])).toEqual([
      [NOW - DAY, 'INFO order=16 paid'], [NOW - DAY + 1000, 'ERROR timeout talking to bank'],
      [NOW - H, 'ERROR payment declined order=17'], [NOW - H + 5, 'INFO order=17 retried'],
    ]);
    const errors = await filterAll(lk.logs, { logGroupName: group, filterPattern: 'ERROR', startTime: NOW - 2 * DAY });
    expect(errors.map((e) => [e.logStreamName, e.message])).toEqual([['web-1', 'ERROR timeout talking to bank'], ['web-1', 'ERROR payment declined order=17']]);
    // A time range picks by the events' own timestamps, not by when they arrived.
    const yesterday = await filterAll(lk.logs, { logGroupName: group, startTime: NOW - DAY - 1, endTime: NOW - 2 * H });
    expect(yesterday.map((e) => e.message)).toEqual(['INFO order=16 paid', 'ERROR timeout talking to bank']);
    const [stream] = (await lk.logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams!;
    expect([stream!.logStreamName, stream!.firstEventTimestamp, stream!.lastEventTimestamp]).toEqual(['web-1', NOW - DAY, NOW - H + 5]);
    const stats = await query(group, 'filter @message like /ERROR/ | stats count(*) as errors by @logStream');
    expect(rowsOf(stats)).toEqual([{ '@logStream': 'web-1', errors: '2' }]);
    const parsed = await query(group, 'parse @message "order=*" as order | filter ispresent(order) | stats count(*) as n by order | sort order');
    expect(rowsOf(parsed)).toEqual([{ order: '16 paid', n: '1' }, { order: '17', n: '1' }, { order: '17 retried', n: '1' }]);
  });

  it('applies CloudWatch\'s limits: order, size, count and span refused; too old and too new left out and said', async () => {
    const group = '/app/limits';
    await lk.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await lk.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
    const put = (logEvents: InputLogEvent[], logStreamName = 's') => lk.logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName, logEvents }));
    await expect(put([{ timestamp: NOW, message: 'b' }, { timestamp: NOW - 1, message: 'a' }])).rejects.toThrow(/chronological order/);
    await expect(put([{ timestamp: NOW - 25 * H, message: 'a' }, { timestamp: NOW, message: 'b' }])).rejects.toThrow(/24 hours/);
    await expect(put(Array.from({ length: 10_001 }, () => ({ timestamp: NOW, message: 'x' })))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(put(Array.from({ length: 5 }, () => ({ timestamp: NOW, message: 'x'.repeat(250_000) })))).rejects.toThrow(/Upload too large/);
    await expect(put([{ timestamp: NOW, message: 'x'.repeat(262_144) }])).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(put([])).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(put([{ timestamp: NOW, message: 'x' }], 'missing')).rejects.toBeInstanceOf(ResourceNotFoundException);
    // 10,000 events and just under 1 MB in one batch is fine.
    const full = await put(Array.from({ length: 10_000 }, (_, i) => ({ timestamp: NOW - 10_000 + i, message: `m${String(i).padStart(5, '0')}`.padEnd(78, '.') })));
    expect(full.rejectedLogEventsInfo).toBeUndefined();
    const mixed = await put([
      { timestamp: NOW - 14 * DAY - 2 * H, message: 'too old' }, { timestamp: NOW - 14 * DAY - H, message: 'too old too' },
      { timestamp: NOW - 14 * DAY + H, message: 'kept' },
    ]);
    expect(mixed.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 2 });
    const ahead = await put([{ timestamp: NOW + H, message: 'soon' }, { timestamp: NOW + 3 * H, message: 'too new' }]);
    expect(ahead.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 1 });
    const kept = await filterAll(lk.logs, { logGroupName: group, filterPattern: '?kept ?soon ?new ?old', startTime: NOW - 20 * DAY, endTime: NOW + 4 * H });
    expect(kept.map((e) => e.message)).toEqual(['kept', 'soon']);
  });

  it('keeps a function\'s streams read-only, deletes a put stream and the group, and `lambkin logs` prints put lines of a function\'s group', async () => {
    const group = '/aws/lambda/shipped';
    await createFunction(lk.lambda, 'shipped', NODE, { [NODE.file]: 'exports.lambda_handler = async () => { console.log("from the function"); return 1; };' });
    await invokeJson(lk.lambda, 'shipped');
    const fnStream = (await lk.logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams![0]!.logStreamName!;
    const intoFn = lk.logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: fnStream, logEvents: [{ timestamp: NOW, message: 'forged' }] }));
    await expect(intoFn).rejects.toBeInstanceOf(InvalidOperationException);
    await expect(lk.logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: fnStream }))).rejects.toBeInstanceOf(InvalidOperationException);
    await lk.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'sidecar' }));
    await lk.logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'sidecar', logEvents: [{ timestamp: NOW - 60_000, message: 'sidecar says hello' }] }));
    const cli = await runCli(lk.url, 'logs', 'shipped', '--since', '1h');
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toContain('from the function');
    expect(cli.stdout).toContain('sidecar says hello');
    await expect(lk.logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await lk.logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: 'sidecar' }));
    await expect(lk.logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 'sidecar' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await filterAll(lk.logs, { logGroupName: group })).map((e) => e.message).join('')).not.toContain('sidecar');
    await lk.logs.send(new DeleteLogGroupCommand({ logGroupName: group }));
    await expect(lk.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'sidecar' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('live tail of put events', () => {
  it('hands a StartLiveTail session the put events of its group and filter', async () => {
    const group = '/app/tailed';
    await lk.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await lk.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'web' }));
    // CloudWatch's live tail has its own host (streaming-logs…); on lambkin's one port the prefix is off.
    const logs = new CloudWatchLogsClient({ endpoint: lk.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1, disableHostPrefix: true });
    const abort = new AbortController();
    try {
      const out = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [group], logEventFilterPattern: 'ERROR' }), { abortSignal: abort.signal });
      const got: { start?: object; events: LiveTailSessionLogEvent[] } = { events: [] };
      const reading = (async () => {
        try {
          for await (const e of out.responseStream!) {
            if (e.sessionStart) got.start = e.sessionStart;
            if (e.sessionUpdate) got.events.push(...(e.sessionUpdate.sessionResults ?? []));
          }
        } catch (err) {
          if (!abort.signal.aborted) throw err;
        }
      })();
      await waitFor('sessionStart', () => got.start);
      await lk.logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'web', logEvents: [
        { timestamp: NOW - 1000, message: 'INFO fine' }, { timestamp: NOW - 500, message: 'ERROR put and tailed' },
      ] }));
      const [event] = await waitFor('the ERROR line', () => (got.events.length > 0 ? got.events : undefined));
      expect([event!.logStreamName, event!.message, event!.timestamp]).toEqual(['web', 'ERROR put and tailed', NOW - 500]);
      abort.abort();
      await reading;
    } finally {
      logs.destroy();
    }
  });
});

describe('GetQueryResults while a query runs', () => {
  it('answers the rows and statistics found so far, each a part of the final answer', async () => {
    const group = '/app/partial';
    await lk.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await lk.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
    for (let b = 0; b < 4; b++) {
      await lk.logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: Array.from({ length: 10_000 }, (_, i) => ({
        timestamp: NOW - 4 * H + b * 10_000 + i, message: `event ${b * 10_000 + i} ${(b * 10_000 + i) % 500 === 0 ? 'rare' : 'plain'}`,
      })) }));
    }
    const queryString = 'filter @message like /rare/ | fields @message';
    const { queryId } = await lk.logs.send(new StartQueryCommand({ logGroupName: group, startTime: Math.floor((NOW - DAY) / 1000), endTime: Math.floor(NOW / 1000) + 60, queryString }));
    const seen: GetQueryResultsCommandOutput[] = [];
    const done = await waitFor('the query to complete', async () => {
      const r = await lk.logs.send(new GetQueryResultsCommand({ queryId }));
      seen.push(r);
      return r.status === 'Complete' ? r : undefined;
    });
    const final = done.results!.map((row) => row.find((f) => f.field === '@message')!.value);
    expect(final).toHaveLength(80);
    for (const r of seen.filter((s) => s.status === 'Running')) {
      const part = r.results!.map((row) => row.find((f) => f.field === '@message')!.value);
      expect(final).toEqual(expect.arrayContaining(part));
      expect(r.statistics!.recordsMatched).toBeLessThanOrEqual(done.statistics!.recordsMatched!);
    }
    expect(done.statistics!.recordsMatched).toBe(80);
  });
});

describe('the aws CLI', () => {
  it('writes a stream with `aws logs put-log-events` and finds it with filter-log-events and an Insights query', async (ctx) => {
    if (!(await awsCliInstalled())) ctx.skip();
    const group = '/app/cli-shipper';
    const ok = (r: { code: number; stderr: string }) => expect(r.code, r.stderr).toBe(0);
    ok(await awsCli(lk.url, 'logs', 'create-log-group', '--log-group-name', group));
    ok(await awsCli(lk.url, 'logs', 'create-log-stream', '--log-group-name', group, '--log-stream-name', 'cron'));
    const events = JSON.stringify([
      { timestamp: NOW - 2 * H, message: 'job started id=9' }, { timestamp: NOW - 2 * H + 10, message: 'ERROR job failed id=9' },
    ]);
    const put = await awsCli(lk.url, 'logs', 'put-log-events', '--log-group-name', group, '--log-stream-name', 'cron', '--log-events', events);
    ok(put);
    expect(JSON.parse(put.stdout).rejectedLogEventsInfo).toBeUndefined();
    const filtered = await awsCli(lk.url, 'logs', 'filter-log-events', '--log-group-name', group, '--filter-pattern', 'ERROR', '--start-time', String(NOW - DAY));
    ok(filtered);
    expect((JSON.parse(filtered.stdout) as { events: { message: string; logStreamName: string }[] }).events.map((e) => [e.logStreamName, e.message]))
      .toEqual([['cron', 'ERROR job failed id=9']]);
    const started = await awsCli(lk.url, 'logs', 'start-query', '--log-group-name', group, '--start-time', String(Math.floor((NOW - DAY) / 1000)),
      '--end-time', String(Math.floor(NOW / 1000) + 60), '--query-string', 'filter @message like /job/ | stats count(*) as jobs');
    ok(started);
    const { queryId } = JSON.parse(started.stdout) as { queryId: string };
    const rows = await waitFor('the CLI query to complete', async () => {
      const r = await awsCli(lk.url, 'logs', 'get-query-results', '--query-id', queryId);
      const body = JSON.parse(r.stdout) as { status: string; results: { field: string; value: string }[][] };
      return body.status === 'Complete' && body.results;
    });
    expect(rows).toEqual([[{ field: 'jobs', value: '2' }]]);
    ok(await awsCli(lk.url, 'logs', 'delete-log-stream', '--log-group-name', group, '--log-stream-name', 'cron'));
    const after = await awsCli(lk.url, 'logs', 'describe-log-streams', '--log-group-name', group);
    expect(JSON.parse(after.stdout).logStreams).toEqual([]);
  });
});
