// Deeply nested JSON in Event invocations (issue 14, item 2): an event of 6,000 `[` then 6,000 `]`
// (12 KB, valid JSON) to a failing function with an OnFailure function destination, and a function
// returning such JSON with an OnSuccess destination. Building the destination record once recursed
// through JSON.stringify: RangeError through a floating promise ended the server, the event stayed in
// async.db and crashed every restart; and a successful event ran again every 30 s. Now: the server
// keeps serving, the destination gets the record with the deep JSON intact, the successful event runs
// exactly once, and a restart on the same data folder is quiet.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateFunctionCommand, InvokeCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, PROCESS_SANDBOX, ROLE, createFunction, invoke, waitFor } from '../helpers/functions.js';
import { zip } from '../helpers/zip.js';

const DEPTH = 6_000;
const DEEP = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

const out = mkdtempSync(join(tmpdir(), 'lambkin-deep-'));
const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-deep-data-'));
let lk: Lambkin;

// The destination: measures how deep the record's payloads are without recursing (JSON.stringify
// of them would throw in the function), and writes one line per record it gets.
const DESTINATION = {
  'lambda_function.js': `
const fs = require('node:fs');
function depth(v) {
  let d = 0;
  while (Array.isArray(v)) { d++; v = v[0]; }
  return d;
}
exports.lambda_handler = async (record) => {
  fs.appendFileSync(process.env.OUT_DIR + '/destination.log', JSON.stringify({
    condition: record.requestContext.condition, functionArn: record.requestContext.functionArn,
    requestDepth: depth(record.requestPayload), responseDepth: depth(record.responsePayload),
    functionError: record.responseContext && record.responseContext.functionError,
  }) + '\\n');
  return 'ok';
};
`,
};

const FAILING = {
  'lambda_function.js': `exports.lambda_handler = async () => { throw new Error('failing on purpose'); };\n`,
};

// A custom runtime (Node's own JSON.stringify could not send it either) answering every event with
// the deep JSON, and writing one line per run.
const DEEP_ANSWER = `#!/usr/bin/node
const http = require('node:http');
const fs = require('node:fs');
const api = 'http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime/invocation/';
const call = (method, url, body) => new Promise((resolve, reject) => {
  const req = http.request(url, { method }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString() }));
  });
  req.on('error', reject);
  req.end(body);
});
(async () => {
  for (;;) {
    const next = await call('GET', api + 'next');
    const id = next.headers['lambda-runtime-aws-request-id'];
    fs.appendFileSync(process.env.OUT_DIR + '/deep-answer.log', id + '\\n');
    await call('POST', api + id + '/response', '['.repeat(${DEPTH}) + ']'.repeat(${DEPTH}));
  }
})();
`;

interface Record {
  condition: string;
  functionArn: string;
  requestDepth: number;
  responseDepth: number;
  functionError?: string;
}

function lines(file: string): string[] {
  const path = join(out, file);
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

const records = () => lines('destination.log').map((l) => JSON.parse(l) as Record);

async function depth(server: Lambkin): Promise<{ queued: number; running: number }> {
  const res = await fetch(`${server.url}/lambkin/v1/async-queue`);
  return (await res.json()) as { queued: number; running: number };
}

async function serverAnswers(server: Lambkin): Promise<void> {
  const res = await invoke<string>(server.lambda, 'deep-destination', { requestContext: {}, requestPayload: 1 });
  expect(res.status).toBe(200);
  expect(res.body).toBe('ok');
}

beforeAll(async () => {
  lk = await startLambkin({ dataDir, args: [...PROCESS_SANDBOX, '--async-retry-delays', '0,0'] });
  const env = { Environment: { Variables: { OUT_DIR: out } } };
  await createFunction(lk.lambda, 'deep-destination', NODE, DESTINATION, env);
  await createFunction(lk.lambda, 'deep-failing', NODE, FAILING);
  await lk.lambda.send(new CreateFunctionCommand({
    FunctionName: 'deep-answer', Runtime: 'provided.al2023', Role: ROLE, Handler: 'unused', ...env,
    Code: { ZipFile: zip({ bootstrap: { content: DEEP_ANSWER, mode: 0o755 } }) },
  }));
  await lk.lambda.send(new PutFunctionEventInvokeConfigCommand({
    FunctionName: 'deep-failing', MaximumRetryAttempts: 0,
    DestinationConfig: { OnFailure: { Destination: `${ARN}:deep-destination` } },
  }));
  await lk.lambda.send(new PutFunctionEventInvokeConfigCommand({
    FunctionName: 'deep-answer', DestinationConfig: { OnSuccess: { Destination: `${ARN}:deep-destination` } },
  }));
});

afterAll(async () => {
  await lk?.stop();
  rmSync(out, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

it('a failed event with a deep payload reaches its OnFailure destination whole, and the server keeps serving', async () => {
  const res = await lk.lambda.send(new InvokeCommand({ FunctionName: 'deep-failing', InvocationType: 'Event', Payload: Buffer.from(DEEP) }));
  expect(res.StatusCode).toBe(202);
  const [record] = await waitFor('the OnFailure record', () => records().find((r) => r.condition === 'RetriesExhausted') && records());
  expect(record).toMatchObject({ functionArn: `${ARN}:deep-failing:$LATEST`, requestDepth: DEPTH, functionError: 'Unhandled' });
  await serverAnswers(lk);
});

it('a successful event answering deep JSON reaches its OnSuccess destination and runs exactly once', async () => {
  const res = await lk.lambda.send(new InvokeCommand({ FunctionName: 'deep-answer', InvocationType: 'Event', Payload: Buffer.from('{"n":1}') }));
  expect(res.StatusCode).toBe(202);
  const record = await waitFor('the OnSuccess record', () => records().find((r) => r.condition === 'Success'));
  expect(record).toMatchObject({ functionArn: `${ARN}:deep-answer:$LATEST`, responseDepth: DEPTH });
  expect(record.functionError).toBeUndefined();
  // Once the queue is empty the event is gone from async.db too: it cannot run again.
  await waitFor('the queue to be empty', async () => {
    const d = await depth(lk);
    return d.queued + d.running === 0;
  });
  expect(lines('deep-answer.log')).toHaveLength(1);
  await serverAnswers(lk);
});

it('a restart on the same data folder neither crashes nor runs anything again', async () => {
  const before = { records: records().length, runs: lines('deep-answer.log').length };
  expect(await lk.stop()).toBe(0);
  lk = await startLambkin({ dataDir, args: [...PROCESS_SANDBOX, '--async-retry-delays', '0,0'] });
  await serverAnswers(lk);
  const d = await depth(lk);
  expect(d.queued + d.running).toBe(0);
  expect(lk.proc.exitCode).toBeNull();
  expect({ records: records().length - 1, runs: lines('deep-answer.log').length }).toEqual(before); // -1: serverAnswers' own line
  expect(lk.output()).not.toMatch(/RangeError|Maximum call stack/);
});
