// The console's own store through its routes (ConsoleStore behind GET /lambkin/v1/deploys and
// GET /lambkin/v1/invocations/{requestId}/payload): each deploy is written down, a function that
// opted in (LambkinRecordPayloads) has its event and response recorded, and both are still there
// after a restart on the same data folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { PROCESS_SANDBOX, ROLE, waitFor } from '../helpers/functions.js';
import { zip } from '../helpers/zip.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-console-history-'));
const servers: Lambkin[] = [];

afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

const ECHO = { 'index.js': 'exports.handler = async (event) => ({ echoed: event });' };

async function get(lk: Lambkin, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${lk.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

it('writes deploys down and records opted-in payloads; both survive a restart', async () => {
  let lk = await startLambkin({ dataDir, args: PROCESS_SANDBOX });
  servers.push(lk);
  // LambkinRecordPayloads is lambkin's own field: the SDK does not send it, so the request is raw.
  const created = await fetch(`${lk.url}/2015-03-31/functions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      FunctionName: 'recorded', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler',
      Code: { ZipFile: Buffer.from(zip(ECHO)).toString('base64') }, LambkinRecordPayloads: true,
    }),
  });
  expect(created.status).toBe(201);
  await lk.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'recorded', MemorySize: 256 }));
  const out = await lk.lambda.send(new InvokeCommand({ FunctionName: 'recorded', Payload: Buffer.from('{"hello":"world"}') }));
  expect(out.FunctionError).toBeUndefined();
  const requestId = out.$metadata.requestId!;

  const recorded = await waitFor('the recorded payload', async () => {
    const r = await get(lk, `/lambkin/v1/invocations/${requestId}/payload`);
    return r.status === 200 ? r.body : undefined;
  });
  expect(recorded).toEqual({ requestId, event: '{"hello":"world"}', response: '{"echoed":{"hello":"world"}}', truncated: false });
  const deploys = (await get(lk, '/lambkin/v1/deploys?function=recorded')).body.deploys as { kind: string; memorySize: number }[];
  expect(deploys.map((d) => [d.kind, d.memorySize])).toEqual([['configuration', 256], ['create', 128]]);

  const unknown = await get(lk, '/lambkin/v1/invocations/no-such-request/payload');
  expect(unknown.status).toBe(404);
  expect(unknown.body.message).toContain('LambkinRecordPayloads');

  await lk.stop();
  lk = await startLambkin({ dataDir, args: PROCESS_SANDBOX });
  servers.push(lk);
  expect((await get(lk, `/lambkin/v1/invocations/${requestId}/payload`)).body).toEqual(recorded);
  expect((await get(lk, '/lambkin/v1/deploys?function=recorded')).body.deploys).toEqual(deploys);
});
