// Reading logs back through CloudWatch Logs clients, unchanged: FilterLogEvents with each form of
// filter pattern, paging tokens as the SDK paginators and `aws logs` use them, GetLogEvents in
// both directions, DescribeLogStreams / DescribeLogGroups ordering and paging, and the errors.
import { execFile, spawn } from 'node:child_process';
import {
  DescribeLogGroupsCommand, DescribeLogStreamsCommand, FilterLogEventsCommand, GetLogEventsCommand, paginateDescribeLogStreams,
  paginateGetLogEvents, type OutputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, createFunction } from '../helpers/functions.js';
import { filterAll, invokeJson } from '../helpers/logs.js';
import { waitFor } from '../helpers/functions.js';

let lk: Lambkin;
const NAME = 'query-fn';
const GROUP = `/aws/lambda/${NAME}`;
const ECHO = `exports.lambda_handler = async (event) => {
  if (event.sleep) await new Promise((r) => setTimeout(r, event.sleep));
  for (const line of event.lines ?? []) process.stdout.write(line + '\\n');
  return 'ok';
};`;

const LINES = [
  'ERROR something failed in module alpha',
  'WARN disk almost full',
  'ERROR timeout in module beta',
  'ERRORS counted: 3',
  'user signed in: "Ada Lovelace"',
  '{"level":"error","latency":250,"user":{"id":"u-17"}}',
  '{"level":"info","latency":12,"user":{"id":"u-18"}}',
  'request took 1234 ms',
];

let streams: string[];

beforeAll(async () => {
  lk = await startLambkin();
  await createFunction(lk.lambda, NAME, NODE, { [NODE.file]: ECHO }, { Timeout: 30 });
  // Three environments (three streams), then the test lines, written by one of them.
  await Promise.all([1, 2, 3].map(() => invokeJson(lk.lambda, NAME, { sleep: 1000 })));
  await invokeJson(lk.lambda, NAME, { lines: LINES });
  const described = await lk.logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }));
  streams = described.logStreams!.map((s) => s.logStreamName!);
});
afterAll(async () => {
  await lk?.stop();
});

async function matching(filterPattern: string): Promise<string[]> {
  return (await filterAll(lk.logs, { logGroupName: GROUP, filterPattern })).map((e) => e.message!);
}

describe('FilterLogEvents', () => {
  it.each([
    ['ERROR', [LINES[0], LINES[2]]],
    ['ERROR alpha', [LINES[0]]],
    ['"in module beta"', [LINES[2]]],
    ['"Ada Lovelace"', [LINES[4]]],
    ['?WARN ?timeout', [LINES[1], LINES[2]]],
    ['ERROR -beta', [LINES[0]]],
    ['error', [LINES[5]]],
    ['{ $.level = "error" }', [LINES[5]]],
    ['{ $.level != "error" }', [LINES[6]]],
    ['{ $.latency > 100 }', [LINES[5]]],
    ['{ $.latency <= 100 && $.user.id = "u-1*" }', [LINES[6]]],
    ['{ $.user.id = "u-1*" }', [LINES[5], LINES[6]]],
    ['%took \\d+ ms%', [LINES[7]]],
  ])('matches %s', async (pattern, expected) => {
    expect(await matching(pattern)).toEqual(expected);
  });

  it('pages with nextToken through every event, in time order, each once', async () => {
    const all = await filterAll(lk.logs, { logGroupName: GROUP });
    const paged = await filterAll(lk.logs, { logGroupName: GROUP, limit: 2 });
    expect(paged.map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
    expect(new Set(all.map((e) => e.eventId)).size).toBe(all.length);
    // 4 invocations × START/END/REPORT + the test lines
    expect(all).toHaveLength(12 + LINES.length);
    const times = all.map((e) => e.timestamp!);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(all.map((e) => e.logStreamName))).toEqual(new Set(streams));
    // The last page has no nextToken.
    const last = await lk.logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 10_000 }));
    expect(last.nextToken).toBeUndefined();
  });

  it('narrows by stream and by time range', async () => {
    const all = await filterAll(lk.logs, { logGroupName: GROUP });
    const one = streams[0]!;
    expect(await filterAll(lk.logs, { logGroupName: GROUP, logStreamNames: [one] })).toEqual(all.filter((e) => e.logStreamName === one));
    expect(await filterAll(lk.logs, { logGroupName: GROUP, logStreamNamePrefix: one.slice(0, 12) })).toHaveLength(all.length);
    expect(await filterAll(lk.logs, { logGroupName: GROUP, logStreamNamePrefix: 'nope' })).toEqual([]);
    const start = all[3]!.timestamp!;
    const end = all[all.length - 2]!.timestamp!;
    const ranged = await filterAll(lk.logs, { logGroupName: GROUP, startTime: start, endTime: end });
    expect(ranged).toEqual(all.filter((e) => e.timestamp! >= start && e.timestamp! < end));
  });

  it('refuses what it cannot do with CloudWatch\'s errors', async () => {
    await expect(lk.logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/none' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(lk.logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '{ $.x = }' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(lk.logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNames: ['a'], logStreamNamePrefix: 'a' })))
      .rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(lk.logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 0 }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('GetLogEvents', () => {
  it('pages forward from the head and hands back the same token at the end', async () => {
    const stream = (await filterAll(lk.logs, { logGroupName: GROUP, filterPattern: '"module alpha"' }))[0]!.logStreamName!;
    const whole = await lk.logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, startFromHead: true }));
    const messages = whole.events!.map((e) => e.message);
    expect(messages).toEqual(expect.arrayContaining(LINES));

    const seen: OutputLogEvent[] = [];
    let token: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await lk.logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, startFromHead: true, limit: 3, nextToken: token }));
      seen.push(...page.events!);
      if (page.nextForwardToken === token) {
        expect(page.events).toEqual([]);
        break;
      }
      token = page.nextForwardToken;
    }
    expect(seen.map((e) => e.message)).toEqual(messages);

    // The SDK's paginator stops on that repeated token (asked to, as against CloudWatch itself).
    const paginated: string[] = [];
    for await (const page of paginateGetLogEvents({ client: lk.logs, pageSize: 4, stopOnSameToken: true }, { logGroupName: GROUP, logStreamName: stream, startFromHead: true })) {
      paginated.push(...page.events!.map((e) => e.message!));
    }
    expect(paginated).toEqual(messages);
  });

  it('starts from the tail by default and pages backward', async () => {
    const stream = (await filterAll(lk.logs, { logGroupName: GROUP, filterPattern: '"module alpha"' }))[0]!.logStreamName!;
    const all = (await lk.logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, startFromHead: true }))).events!;
    const tail = await lk.logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, limit: 2 }));
    expect(tail.events).toEqual(all.slice(-2));
    const pages: OutputLogEvent[][] = [tail.events!];
    let token = tail.nextBackwardToken;
    for (let i = 0; i < 100; i++) {
      const page = await lk.logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, limit: 2, nextToken: token }));
      if (page.nextBackwardToken === token) break;
      pages.unshift(page.events!);
      token = page.nextBackwardToken;
    }
    expect(pages.flat()).toEqual(all);
  });

  it('says which of group and stream does not exist', async () => {
    await expect(lk.logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: 'nope' })))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'The specified log stream does not exist.' });
    await expect(lk.logs.send(new GetLogEventsCommand({ logGroupName: '/aws/lambda/none', logStreamName: 'x' })))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'The specified log group does not exist.' });
  });

  it('refuses a paging token the log store did not hand out, whichever operation it comes to', async () => {
    const invalid = { name: 'InvalidParameterException', message: 'The specified nextToken is invalid.' };
    const stream = (await lk.logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, limit: 1 }))).logStreams![0]!.logStreamName!;
    for (const nextToken of ['not-a-token', 'f/-1', '{}']) {
      await expect(lk.logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, nextToken }))).rejects.toMatchObject(invalid);
      await expect(lk.logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, nextToken }))).rejects.toMatchObject(invalid);
      await expect(lk.logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, nextToken }))).rejects.toMatchObject(invalid);
      await expect(lk.logs.send(new DescribeLogGroupsCommand({ nextToken }))).rejects.toMatchObject(invalid);
    }
  });
});

describe('DescribeLogStreams and DescribeLogGroups', () => {
  it('orders streams by name or last event time, either way, and pages', async () => {
    const byName = [...streams].sort();
    expect(streams).toEqual(byName);
    const paged: string[] = [];
    for await (const page of paginateDescribeLogStreams({ client: lk.logs, pageSize: 1 }, { logGroupName: GROUP })) {
      paged.push(...page.logStreams!.map((s) => s.logStreamName!));
    }
    expect(paged).toEqual(byName);
    const desc = await lk.logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, descending: true }));
    expect(desc.logStreams!.map((s) => s.logStreamName)).toEqual([...byName].reverse());

    const latest = await lk.logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, orderBy: 'LastEventTime', descending: true, limit: 1 }));
    const writer = (await filterAll(lk.logs, { logGroupName: GROUP, filterPattern: '"module alpha"' }))[0]!.logStreamName;
    if (process.env.LAMBKIN_TEST_CLUSTER) {
      // Spread over nodes, each node's batch commits in turn and times never go back along ids
      // (docs/design.md, the log store on PostgreSQL): a batch of another node committed after the
      // writer's may be stamped at the writer's last time. The writer is then one of the latest, tied.
      const all = await lk.logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }));
      const last = (name: string | undefined) => all.logStreams!.find((s) => s.logStreamName === name)!.lastEventTimestamp;
      expect(latest.logStreams![0]!.lastEventTimestamp).toBe(last(writer));
    } else {
      expect(latest.logStreams!.map((s) => s.logStreamName)).toEqual([writer]);
    }
    expect(latest.nextToken).toBeDefined();

    await expect(lk.logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, orderBy: 'LastEventTime', logStreamNamePrefix: '2' })))
      .rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(lk.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/none' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('lists groups by prefix, paged', async () => {
    await createFunction(lk.lambda, 'query-other', NODE, { [NODE.file]: ECHO });
    await invokeJson(lk.lambda, 'query-other', {});
    const first = await lk.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/query-', limit: 1 }));
    const second = await lk.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/query-', limit: 1, nextToken: first.nextToken }));
    expect([...first.logGroups!, ...second.logGroups!].map((g) => g.logGroupName)).toEqual([GROUP, '/aws/lambda/query-other']);
    expect(second.nextToken).toBeUndefined();
    expect(first.logGroups![0]).toMatchObject({ arn: `arn:aws:logs:us-east-1:000000000000:log-group:${GROUP}:*` });
    expect(first.logGroups![0]!.storedBytes).toBeGreaterThan(0);
  });
});

describe('the AWS CLI', () => {
  const aws = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('aws', ['--endpoint-url', lk.url, '--region', 'us-east-1', '--output', 'json', 'logs', ...args], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '' },
    }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code) || 1 : 0, stdout, stderr }));
  });
  it('reads streams and filtered events with `aws logs`', async (ctx) => {
    // The AWS CLI is not a dependency of lambkin: where it is not installed there is nothing to check.
    const version = await new Promise<string>((r) => execFile('aws', ['--version'], (err, out, errOut) => r(err ? '' : out + errOut)));
    if (!version) ctx.skip();
    const described = await aws('describe-log-streams', '--log-group-name', GROUP);
    expect(described.code, described.stderr).toBe(0);
    expect((JSON.parse(described.stdout) as { logStreams: { logStreamName: string }[] }).logStreams.map((s) => s.logStreamName)).toEqual(streams);
    const filtered = await aws('filter-log-events', '--log-group-name', GROUP, '--filter-pattern', 'ERROR', '--page-size', '1');
    expect(filtered.code, filtered.stderr).toBe(0);
    expect((JSON.parse(filtered.stdout) as { events: { message: string }[] }).events.map((e) => e.message)).toEqual([LINES[0], LINES[2]]);
  });

  it('follows new events with `aws logs tail --follow` (AWS CLI v2)', async (ctx) => {
    // `tail` exists only in AWS CLI v2; look for one (Debian's awscli package installs it as /usr/bin/aws).
    const v2 = await new Promise<string | undefined>((resolve) => {
      let left = 2;
      for (const bin of ['aws', '/usr/bin/aws']) {
        execFile(bin, ['--version'], (err, out) => {
          if (!err && out.startsWith('aws-cli/2')) resolve(bin);
          else if (--left === 0) resolve(undefined);
        });
      }
    });
    if (!v2) ctx.skip();
    const tail = spawn(v2!, ['--endpoint-url', lk.url, '--region', 'us-east-1', 'logs', 'tail', GROUP, '--follow', '--since', '1h', '--format', 'short'], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '' },
    });
    let out = '';
    tail.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await waitFor('tail to print what is there', () => out.includes(LINES[0]!), 30_000);
      const next = await invokeJson(lk.lambda, NAME, { lines: ['followed line'] });
      await waitFor('tail to print the new invocation', () => out.includes(`REPORT RequestId: ${next.requestId}`), 30_000);
      expect(out.split('\n').filter((l) => l.includes('followed line'))).toHaveLength(1);
      expect(out.split('\n').filter((l) => l.endsWith(LINES[0]!))).toHaveLength(1);
    } finally {
      tail.kill('SIGINT');
    }
  });
});
