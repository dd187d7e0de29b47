// At least once, nothing lost: 500 Event invocations are accepted (202), then the server is
// killed with SIGKILL while they are queued or running; a new server on the same data folder must run
// every accepted event to completion at least once. Events that ran twice (completed before the
// kill but not yet marked done) are counted and printed, not failed: that is what at-least-once allows.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, PROCESS_SANDBOX, createFunction, waitFor } from '../helpers/functions.js';

const EVENTS = 500;
const out = mkdtempSync(join(tmpdir(), 'lambkin-kill-'));
const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-kill-data-'));
const servers: Lambkin[] = [];

// Appends the event's id once it has finished its (short) work: a line means "ran to completion".
const QUICK = {
  'lambda_function.js': `
const fs = require('node:fs');
exports.lambda_handler = async (event) => {
  await new Promise((r) => setTimeout(r, 20));
  fs.appendFileSync(process.env.OUT_DIR + '/done.log', event.id + '\\n');
  return event.id;
};
`,
};

afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
  rmSync(out, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

function completed(): string[] {
  const file = join(out, 'done.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

it('runs every accepted event at least once across a SIGKILL and a restart', async () => {
  const args = [...PROCESS_SANDBOX, '--async-concurrency', '2'];
  // In the spread run (a 3-node cluster, all killed and started again): the events the killed nodes
  // held come back once JetStream's ack wait has passed; 5 s instead of 30 (a single server ignores it).
  const env = { LAMBKIN_ASYNC_ACK_WAIT_MS: '5000' };
  const first = await startLambkin({ dataDir, args, env });
  servers.push(first);
  await createFunction(first.lambda, 'quick', NODE, QUICK, { Environment: { Variables: { OUT_DIR: out } } });

  // Send all of them with 25 in flight, then kill the server while the backlog is being worked off.
  const accepted: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: 25 }, async () => {
    while (next < EVENTS) {
      const id = `e-${next++}`;
      const res = await first.lambda.send(new InvokeCommand({
        FunctionName: 'quick', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ id })),
      }));
      if (res.StatusCode === 202) accepted.push(id);
    }
  }));
  await first.kill();
  const before = new Set(completed());
  console.log(`kill -9: ${accepted.length} events accepted, ${before.size} had completed when the server died`);
  expect(accepted.length).toBe(EVENTS);
  expect(before.size).toBeLessThan(accepted.length); // the kill did land while events were pending

  const second = await startLambkin({ dataDir, args, env });
  servers.push(second);
  await waitFor('every accepted event to complete', () => {
    const done = new Set(completed());
    return accepted.every((id) => done.has(id));
  }, 40_000);

  const runs = new Map<string, number>();
  for (const id of completed()) runs.set(id, (runs.get(id) ?? 0) + 1);
  const twice = [...runs.values()].filter((n) => n > 1).length;
  console.log(`kill -9: all ${accepted.length} accepted events completed; ${twice} ran more than once`);
  for (const id of accepted) expect(runs.get(id)).toBeGreaterThanOrEqual(1);
}, 60_000);
