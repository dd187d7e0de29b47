// The async queue under load and abuse (issue 14, items 9 and 12), on a real server:
// - thousands of events queued to a function that may not run (reserved concurrency 0) leave other
//   functions' events running, and run themselves once it may again;
// - a function's dead-letter list is paged (API and `lambkin dlq`), capped (--dead-letter-limit: the
//   oldest go, counted in the queue depth and the CLI, and logged), and a huge error message in a
//   dead letter is cut as log lines are (256 KB); a deleted function's dead letters go with it.
import { execFile } from 'node:child_process';
import { DeleteFunctionCommand, DeleteFunctionConcurrencyCommand, InvokeCommand, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, PROCESS_SANDBOX, createFunction, waitFor } from '../helpers/functions.js';

const LIMIT = 5;
let lk: Lambkin;

const ANSWER = { 'lambda_function.js': 'exports.lambda_handler = async (event) => event;\n' };
const FAIL = {
  'lambda_function.js': `exports.lambda_handler = async (event) => {
  throw new Error(event.huge ? 'x'.repeat(1000000) : 'failing on purpose: ' + event.tag);
};
`,
};

interface FunctionDepth {
  name: string;
  queued: number;
  running: number;
  deadLetters: number;
  deadLettersDropped?: number;
}

async function depth(name: string): Promise<FunctionDepth> {
  const res = await fetch(`${lk.url}/lambkin/v1/async-queue?function=${name}`);
  const body = (await res.json()) as { functions: FunctionDepth[] };
  return body.functions[0] ?? { name, queued: 0, running: 0, deadLetters: 0 };
}

async function queue(name: string, event: unknown): Promise<void> {
  const res = await lk.lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) }));
  expect(res.StatusCode).toBe(202);
}

interface Page {
  deadLetters: { requestId: string; payload: string; errorMessage?: string }[];
  nextMarker?: string;
}

async function page(name: string, query: string): Promise<{ status: number; body: Page }> {
  const res = await fetch(`${lk.url}/lambkin/v1/functions/${name}/dead-letters${query}`);
  return { status: res.status, body: (await res.json()) as Page };
}

function lambkin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, '--endpoint', lk.url, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  lk = await startLambkin({ args: [...PROCESS_SANDBOX, '--async-retry-delays', '0,0', '--dead-letter-limit', String(LIMIT)] });
});
afterAll(async () => {
  await lk?.stop();
});

describe('a function that may not run', () => {
  it('holds its thousands of events while another function\'s events run, and runs them once it may', async () => {
    await createFunction(lk.lambda, 'held', NODE, ANSWER);
    await createFunction(lk.lambda, 'free', NODE, ANSWER);
    await lk.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'held', ReservedConcurrentExecutions: 0 }));
    const HELD = 2_000;
    let sent = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (sent++ < HELD) await queue('held', { n: sent });
    }));
    expect(await depth('held')).toMatchObject({ queued: HELD, running: 0 });
    for (let i = 0; i < 20; i++) await queue('free', { i });
    await waitFor('the other function\'s events to run', async () => {
      const d = await depth('free');
      return d.queued + d.running === 0;
    });
    expect((await depth('held')).queued).toBe(HELD);
    await lk.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'held' }));
    await waitFor('the held events to start running', async () => (await depth('held')).queued < HELD);
    // No need to wait for all of them: the rest is the same path.
    await lk.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'held', ReservedConcurrentExecutions: 0 }));
  });
});

describe('dead letters', () => {
  beforeAll(async () => {
    await createFunction(lk.lambda, 'dlq-fail', NODE, FAIL);
    // One at a time, so that they fail in the order they were sent.
    await lk.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'dlq-fail', ReservedConcurrentExecutions: 1 }));
    await lk.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'dlq-fail', MaximumRetryAttempts: 0 }));
    for (let tag = 0; tag < LIMIT + 3; tag++) await queue('dlq-fail', { tag });
    await waitFor('every event to fail', async () => {
      const d = await depth('dlq-fail');
      return d.queued + d.running === 0 && d.deadLetters + (d.deadLettersDropped ?? 0) === LIMIT + 3 && d;
    });
  });

  it('keeps at most --dead-letter-limit per function: the oldest go, counted and logged', async () => {
    expect(await depth('dlq-fail')).toMatchObject({ deadLetters: LIMIT, deadLettersDropped: 3 });
    const all = await page('dlq-fail', '?maxItems=100');
    expect(all.body.deadLetters.map((d) => JSON.parse(d.payload).tag)).toEqual([3, 4, 5, 6, 7]);
    expect(lk.output()).toMatch(/dead-letter list of dlq-fail is full \(5 letters, --dead-letter-limit\): its oldest letters are dropped/);
  });

  it('pages the list: maxItems per page, nextMarker to the next, each letter once', async () => {
    const seen: number[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const p = await page('dlq-fail', `?maxItems=2${marker ? `&marker=${marker}` : ''}`);
      expect(p.status).toBe(200);
      expect(p.body.deadLetters.length).toBeLessThanOrEqual(2);
      seen.push(...p.body.deadLetters.map((d) => JSON.parse(d.payload).tag as number));
      marker = p.body.nextMarker;
      pages++;
    } while (marker !== undefined);
    expect(seen).toEqual([3, 4, 5, 6, 7]);
    expect(pages).toBe(3);
    const bad = await page('dlq-fail', '?maxItems=100000');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('maxItems must be a whole number from 1 to 1000');
  });

  it('`lambkin dlq` prints a page, the total, the dropped count and how to get the next page', async () => {
    const first = await lambkin('dlq', 'dlq-fail', '--max-items', '2');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('failing on purpose: 3');
    expect(first.stdout).toContain('failing on purpose: 4');
    expect(first.stdout).not.toContain('failing on purpose: 5');
    expect(first.stdout).toContain('5 dead letter(s) of dlq-fail in all (3 older ones dropped');
    const token = /more: lambkin dlq dlq-fail --starting-token (\S+)/.exec(first.stdout)?.[1];
    expect(token).toBeDefined();
    const second = await lambkin('dlq', 'dlq-fail', '--max-items', '2', '--starting-token', token!);
    expect(second.stdout).toContain('failing on purpose: 5');
    expect(second.stdout).not.toContain('failing on purpose: 4');
    const json = await lambkin('dlq', 'dlq-fail', '--json', '--max-items', '1');
    expect((JSON.parse(json.stdout) as unknown[]).length).toBe(1);
    expect(json.stderr).toContain('--starting-token');
  });

  it('cuts an error message of 1 MB to 256 KB, as log lines are cut', async () => {
    await createFunction(lk.lambda, 'dlq-huge', NODE, FAIL);
    await lk.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'dlq-huge', MaximumRetryAttempts: 0 }));
    await queue('dlq-huge', { huge: true });
    await waitFor('the dead letter', async () => (await depth('dlq-huge')).deadLetters === 1);
    const [letter] = (await page('dlq-huge', '')).body.deadLetters;
    expect(letter!.errorMessage).toBe('x'.repeat(256 * 1024));
  });

  it('a deleted function\'s dead letters go with it', async () => {
    await lk.lambda.send(new DeleteFunctionCommand({ FunctionName: 'dlq-huge' }));
    expect((await page('dlq-huge', '')).body.deadLetters).toEqual([]);
    expect((await depth('dlq-huge')).deadLetters).toBe(0);
  });
});
