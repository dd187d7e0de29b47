// Investigating with lambkin's own tools: `lambkin logs` (all environments merged, one request
// whole, filters, errors, JSON, --follow across new environments), `lambkin stats`, and the
// investigation API the console uses (filtered, paged invocation lists; errors grouped by shape).
import { execFile, spawn } from 'node:child_process';
import { UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, createFunction, waitFor } from '../helpers/functions.js';
import { api, invokeJson, type InvocationJson } from '../helpers/logs.js';

let lk: Lambkin;
const NAME = 'shop';
const SHOP = `exports.lambda_handler = async (event) => {
  if (event.op === 'fail') throw new Error('Order ' + event.n + ' not found');
  if (event.op === 'slow') await new Promise((r) => setTimeout(r, event.ms));
  console.log('order', event.n, 'placed');
  return { n: event.n };
};`;
const ids: Record<string, string> = {};

function lambkin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, '--endpoint', lk.url, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z [0-9a-f]{8} /;

beforeAll(async () => {
  lk = await startLambkin();
  await createFunction(lk.lambda, NAME, NODE, { [NODE.file]: SHOP }, { Timeout: 30 });
  for (const [key, event] of Object.entries({
    ok1: { n: 1 }, fail17: { op: 'fail', n: 17 }, ok2: { n: 2 }, slow: { op: 'slow', ms: 300, n: 3 }, fail4242: { op: 'fail', n: 4242 }, ok4: { n: 4 },
  })) {
    ids[key] = (await invokeJson(lk.lambda, NAME, event)).requestId;
  }
});
afterAll(async () => {
  await lk?.stop();
});

describe('lambkin logs', () => {
  it('--request-id prints one invocation whole, in order', async () => {
    const run = await lambkin('logs', NAME, '--request-id', ids.fail17!);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(LINE);
    const messages = lines.map((l) => l.replace(LINE, ''));
    expect(messages[0]).toBe(`START RequestId: ${ids.fail17} Version: $LATEST`);
    expect(messages.some((m) => m.includes('Order 17 not found'))).toBe(true);
    expect(messages.at(-2)).toBe(`END RequestId: ${ids.fail17}`);
    expect(messages.at(-1)).toMatch(new RegExp(`^REPORT RequestId: ${ids.fail17}\\t`));
    expect(run.stdout).not.toContain(ids.ok1!);

    const other = await lambkin('logs', 'someone-else', '--request-id', ids.ok1!);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`an invocation of ${NAME}`);
  });

  it('prints every line of the function in time order, or only what a filter or --errors selects', async () => {
    const all = await lambkin('logs', NAME);
    expect(all.code, all.stderr).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes(' START RequestId: '))).toHaveLength(6);
    const times = lines.map((l) => l.slice(0, 24));
    expect(times).toEqual([...times].sort());
    const order = Object.values(ids).map((id) => lines.findIndex((l) => l.includes(`START RequestId: ${id}`)));
    expect(order).toEqual([...order].sort((a, b) => a - b));

    const placed = await lambkin('logs', NAME, '--filter', 'placed');
    expect(placed.stdout.trimEnd().split('\n').map((l) => /order (\d) placed/.exec(l)?.[1])).toEqual(['1', '2', '3', '4']);

    const errors = await lambkin('logs', NAME, '--errors');
    const errorLines = errors.stdout.trimEnd().split('\n');
    expect(errorLines.some((l) => l.includes('Order 17 not found'))).toBe(true);
    expect(errorLines.some((l) => l.includes('Order 4242 not found'))).toBe(true);
    expect(errors.stdout).not.toContain('placed');
    expect(errors.stdout).not.toContain('START');

    const json = await lambkin('logs', NAME, '--json', '--filter', '"order 2 placed"');
    const events = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { requestId: string; level: string; message: string; envId: string });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ requestId: ids.ok2, level: 'INFO' });
    expect(events[0]!.envId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('says when there is nothing, and refuses what it cannot read', async () => {
    const future = await lambkin('logs', NAME, '--since', new Date(Date.now() + 3_600_000).toISOString());
    expect(future.code).toBe(0);
    expect(future.stdout).toBe('');
    expect(future.stderr).toContain('no log lines');
    const bad = await lambkin('logs', NAME, '--since', 'yesterday-ish');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since');
    const unknown = await lambkin('logs', 'no-such-function');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('ResourceNotFoundException');
    const badFilter = await lambkin('logs', NAME, '--filter', '{ $.x = ');
    expect(badFilter.code).toBe(2);
  });

  it('--follow prints new lines as they come, from new environments too', async () => {
    const follower = spawn(process.execPath, [CLI, '--endpoint', lk.url, 'logs', NAME, '--follow', '--since', '1h'], {
      env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    follower.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => follower.once('exit', (code) => r(code)));
    try {
      // It prints what is there first; then it is following.
      await waitFor('the follower to print the existing lines', () => out.includes(`REPORT RequestId: ${ids.ok4}`));
      const a = await invokeJson(lk.lambda, NAME, { n: 7 });
      await waitFor('the follower to print the new invocation', () => out.includes(`REPORT RequestId: ${a.requestId}`));
      // A configuration change retires the environment: the next invocation runs in a new one,
      // with a new stream, which the follower must pick up too.
      await lk.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: NAME, Description: 'changed' }));
      const b = await invokeJson(lk.lambda, NAME, { n: 9 });
      await waitFor('the follower to print the new environment\'s lines', () => out.includes(`REPORT RequestId: ${b.requestId}`));
      const lines = out.trimEnd().split('\n');
      const envOf = (id: string) => lines.find((l) => l.includes(`START RequestId: ${id}`))!.slice(25, 33);
      expect(envOf(b.requestId)).not.toBe(envOf(a.requestId));
      expect(out).toContain('order 9 placed');
    } finally {
      follower.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});

describe('lambkin stats and the investigation API', () => {
  it('sums a function up as a table and as JSON', async () => {
    const json = await lambkin('stats', NAME, '--json');
    expect(json.code, json.stderr).toBe(0);
    const stats = JSON.parse(json.stdout) as { invocations: number; errors: number; errorsByType: Record<string, number>; coldStarts: number; durationMs: { p50: number; p99: number } };
    expect(stats.invocations).toBeGreaterThanOrEqual(6);
    expect(stats.errors).toBe(2);
    expect(stats.errorsByType).toEqual({ Error: 2 });
    expect(stats.coldStarts).toBeGreaterThanOrEqual(1);
    expect(stats.durationMs.p99).toBeGreaterThanOrEqual(stats.durationMs.p50);
    const table = await lambkin('stats', NAME, '--since', '1h');
    expect(table.stdout).toMatch(/^invocations\s+\d+$/m);
    expect(table.stdout).toMatch(/^errors\s+2 \(/m);
    expect(table.stdout).toMatch(/^ {2}Error\s+2$/m);
    expect(table.stdout).toMatch(/^duration\s+p50 [\d.]+ ms\s+p95 [\d.]+ ms\s+p99 [\d.]+ ms/m);
    expect(table.stdout).toMatch(/^max memory\s+\d+ MB of 128 MB$/m);
  });

  it('lists invocations by outcome, cold start, duration and text, newest first, paged', async () => {
    const list = async (query: string) =>
      (await api<{ invocations: InvocationJson[]; nextCursor?: string }>(lk, `/lambkin/v1/invocations?function=${NAME}&${query}`)).body;
    expect((await list('outcome=error')).invocations.map((i) => i.requestId)).toEqual([ids.fail4242, ids.fail17]);
    expect((await list('outcome=error')).invocations[0]).toMatchObject({ errorType: 'Error', errorMessage: 'Order 4242 not found' });
    expect((await list('cold=true')).invocations.map((i) => i.requestId)).toContain(ids.ok1);
    expect((await list('minDurationMs=250')).invocations.map((i) => i.requestId)).toContain(ids.slow);
    expect((await list('q=placed&limit=100')).invocations.map((i) => i.requestId)).toEqual(expect.arrayContaining([ids.ok1, ids.ok2, ids.slow, ids.ok4]));
    expect((await list('q=placed&limit=100')).invocations.map((i) => i.requestId)).not.toContain(ids.fail17);
    // A text search pages by cursor too, newest first, each invocation once.
    const placed: string[] = [];
    let textCursor: string | undefined;
    do {
      const page = await list(`q=placed&limit=1${textCursor ? `&cursor=${textCursor}` : ''}`);
      placed.push(...page.invocations.map((i) => i.requestId));
      textCursor = page.nextCursor;
    } while (textCursor);
    expect(placed).toEqual((await list('q=placed&limit=100')).invocations.map((i) => i.requestId));
    expect(placed.slice(-4)).toEqual([ids.ok4, ids.slow, ids.ok2, ids.ok1]);

    const everything = (await list('limit=1000')).invocations.map((i) => i.requestId);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.invocations.map((i) => i.requestId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(everything);
    expect(everything.slice(-6)).toEqual(Object.values(ids).reverse());

    expect((await api(lk, `/lambkin/v1/invocations?outcome=maybe`)).status).toBe(400);
    // A cursor or position the log store did not hand out: a 400 that names the parameter.
    for (const [path, name] of [
      [`/lambkin/v1/invocations?cursor=garbage`, 'cursor'], [`/lambkin/v1/errors?cursor=garbage`, 'cursor'],
      [`/lambkin/v1/events?function=${NAME}&after=garbage`, 'after'], [`/lambkin/v1/invocations/${ids.ok1}?after=garbage`, 'after'],
    ]) {
      const bad = await api<{ message: string }>(lk, path!);
      expect(bad.status, path).toBe(400);
      expect(bad.body.message).toBe(`'${name}' is not a cursor this server handed out.`);
    }
    expect((await api(lk, `/lambkin/v1/invocations/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
  });

  it('groups errors by type and message shape', async () => {
    const { body } = await api<{ errors: { functionName: string; errorType: string; message: string; count: number; firstSeen: number; lastSeen: number; latestRequestId: string }[] }>(
      lk, `/lambkin/v1/errors?function=${NAME}`,
    );
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({ functionName: NAME, errorType: 'Error', message: 'Order <n> not found', count: 2, latestRequestId: ids.fail4242 });
    expect(body.errors[0]!.lastSeen).toBeGreaterThanOrEqual(body.errors[0]!.firstSeen);
  });
});
