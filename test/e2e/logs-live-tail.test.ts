// StartLiveTail through the SDK's StartLiveTailCommand and `aws logs start-live-tail`: a session
// opens with sessionStart, then carries the events written after it started — only those of its
// group, streams and filter pattern — in sessionUpdate batches; refusals are CloudWatch's errors.
import { spawn } from 'node:child_process';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, InvalidParameterException, ResourceNotFoundException, StartLiveTailCommand,
  type LiveTailSessionLogEvent, type StartLiveTailResponseStream,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, createFunction, waitFor } from '../helpers/functions.js';
import { invokeJson } from '../helpers/logs.js';

let lk: Lambkin;
let logs: CloudWatchLogsClient;
const arnOf = (group: string) => `arn:aws:logs:us-east-1:000000000000:log-group:${group}`;
const SHOUTER = 'exports.lambda_handler = async (e) => { for (const l of e.lines) console.log(l); return 1; };';

beforeAll(async () => {
  lk = await startLambkin();
  // CloudWatch's live tail has its own host (streaming-logs…); on lambkin's one port the prefix is off.
  logs = new CloudWatchLogsClient({ endpoint: lk.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1, disableHostPrefix: true });
  await createFunction(lk.lambda, 'shouter', NODE, { [NODE.file]: SHOUTER });
  await createFunction(lk.lambda, 'other', NODE, { [NODE.file]: SHOUTER });
  await invokeJson(lk.lambda, 'shouter', { lines: ['warm-up'] });
  await invokeJson(lk.lambda, 'other', { lines: ['warm-up'] });
});
afterAll(async () => {
  logs?.destroy();
  await lk?.stop();
});

/** Reads a session's events into `got` until the abort signal ends it. */
async function collect(stream: AsyncIterable<StartLiveTailResponseStream>, got: { start?: Record<string, unknown>; events: LiveTailSessionLogEvent[] }, signal: AbortSignal): Promise<void> {
  try {
    for await (const e of stream) {
      if (e.sessionStart) got.start = e.sessionStart as Record<string, unknown>;
      if (e.sessionUpdate) got.events.push(...(e.sessionUpdate.sessionResults ?? []));
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

describe('StartLiveTail', () => {
  it('delivers the events written after it started, of its group and filter only', async () => {
    const group = '/aws/lambda/shouter';
    const abort = new AbortController();
    const out = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [arnOf(group)], logEventFilterPattern: 'ERROR' }), { abortSignal: abort.signal });
    const got: { start?: Record<string, unknown>; events: LiveTailSessionLogEvent[] } = { events: [] };
    const reading = collect(out.responseStream!, got, abort.signal);
    await waitFor('sessionStart', () => got.start);
    expect(got.start).toMatchObject({ logGroupIdentifiers: [arnOf(group)], logEventFilterPattern: 'ERROR' });
    expect(got.start!.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    await invokeJson(lk.lambda, 'other', { lines: ['ERROR from the other function'] });
    await invokeJson(lk.lambda, 'shouter', { lines: ['INFO all is well', 'ERROR disk full', 'ERROR again'] });
    const events = await waitFor('two ERROR lines', () => (got.events.length >= 2 ? got.events : undefined));
    expect(events.map((e) => e.message!.trim().split('\t').pop())).toEqual(['ERROR disk full', 'ERROR again']);
    for (const e of events) {
      expect(e.logGroupIdentifier).toBe(arnOf(group));
      expect(e.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      expect(e.ingestionTime).toBeGreaterThanOrEqual(e.timestamp!);
    }
    abort.abort();
    await reading;
  });

  it('narrows to stream name prefixes', async () => {
    const abort = new AbortController();
    const out = await logs.send(new StartLiveTailCommand({
      logGroupIdentifiers: ['/aws/lambda/shouter'], logStreamNamePrefixes: ['1999/'],
    }), { abortSignal: abort.signal });
    const got: { start?: Record<string, unknown>; events: LiveTailSessionLogEvent[] } = { events: [] };
    const reading = collect(out.responseStream!, got, abort.signal);
    await waitFor('sessionStart', () => got.start);
    const other = new AbortController();
    const all = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/aws/lambda/shouter'] }), { abortSignal: other.signal });
    const allGot: { start?: Record<string, unknown>; events: LiveTailSessionLogEvent[] } = { events: [] };
    const readingAll = collect(all.responseStream!, allGot, other.signal);
    await waitFor('sessionStart', () => allGot.start);
    await invokeJson(lk.lambda, 'shouter', { lines: ['prefix check'] });
    await waitFor('the line in the unfiltered session', () => allGot.events.some((e) => e.message!.includes('prefix check')));
    expect(got.events).toEqual([]); // no stream of today starts with 1999/
    abort.abort();
    other.abort();
    await Promise.all([reading, readingAll]);
  });

  it('refuses bad sessions with CloudWatch errors', async () => {
    await expect(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/aws/lambda/nope'] }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [] }))).rejects.toBeInstanceOf(InvalidParameterException);
    await lk.logs.send(new CreateLogGroupCommand({ logGroupName: '/app/second' }));
    await expect(logs.send(new StartLiveTailCommand({
      logGroupIdentifiers: ['/aws/lambda/shouter', '/app/second'], logStreamNames: ['x'],
    }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/app/second'], logEventFilterPattern: '{ $.a = ' }))).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('aws logs start-live-tail prints the events', async (ctx) => {
    const cli = spawn('aws', ['--endpoint-url', lk.url, '--region', 'us-east-1', 'logs', 'start-live-tail', '--log-group-identifiers', arnOf('/aws/lambda/shouter')], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '', AWS_DISABLE_HOST_PREFIX_INJECTION: 'true', PYTHONUNBUFFERED: '1' },
    });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (d: Buffer) => (stdout += d));
    cli.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise((r) => cli.on('close', r));
    cli.on('error', () => ctx.skip());
    try {
      // The CLI prints nothing until an event comes, and its session may not be open yet when the
      // first line is written: write one again each second until one shows.
      let last = 0;
      await waitFor('the line on the CLI', async () => {
        if (stdout.includes('seen by the CLI')) return true;
        expect(stderr).toBe('');
        if (Date.now() - last > 1000) {
          last = Date.now();
          await invokeJson(lk.lambda, 'shouter', { lines: ['seen by the CLI'] });
        }
        return undefined;
      }, 60_000);
    } finally {
      cli.kill('SIGINT');
      await exited;
    }
  });
});
