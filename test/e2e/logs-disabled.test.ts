// Logging switched off per function (`lambkin deploy --no-logs`, LambkinLogging: false): nothing
// the function prints is kept, the platform says so once (no visibility), and the invocation
// records are still kept for `lambkin stats`. `--logs` switches it back on.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeLogGroupsCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startLambkin, type Lambkin } from '../helpers/server.js';
import { waitFor } from '../helpers/functions.js';
import { api, filterAll, invocationLog, invokeJson } from '../helpers/logs.js';

let lk: Lambkin;
let work: string;
const NAME = 'quiet';
const GROUP = `/aws/lambda/${NAME}`;

function lambkin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, '--endpoint', lk.url, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  lk = await startLambkin();
  work = mkdtempSync(join(tmpdir(), 'lambkin-quiet-'));
  mkdirSync(join(work, NAME));
  writeFileSync(join(work, NAME, 'lambda_function.py'), 'def lambda_handler(event, context):\n    print("secret stuff", event.get("n"))\n    return {"ok": True}\n');
});
afterAll(async () => {
  await lk?.stop();
  rmSync(work, { recursive: true, force: true });
});

const warnings = () => lk.output().split('\n').filter((l) => l.includes(`logging is off for function ${NAME}: no visibility into`));

describe('--no-logs', () => {
  it('keeps no output, warns once, and still records every invocation', async () => {
    const deployed = await lambkin('deploy', join(work, NAME), '--no-logs');
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stderr).toContain(`logging is off for ${NAME}`);
    await waitFor('the server\'s warning', () => warnings().length === 1);

    const runs = [await invokeJson(lk.lambda, NAME, { n: 1 }), await invokeJson(lk.lambda, NAME, { n: 2 })];
    expect(runs.map((r) => r.FunctionError)).toEqual([undefined, undefined]);
    expect((await lk.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: GROUP }))).logGroups).toEqual([]);
    await expect(lk.logs.send(new FilterLogEventsCommand({ logGroupName: GROUP }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    const one = await invocationLog(lk, runs[0]!.requestId);
    expect(one.invocation).toMatchObject({ functionName: NAME, outcome: 'success', cold: true });
    expect(one.events).toEqual([]);
    const stats = await api<{ invocations: number; coldStarts: number }>(lk, `/lambkin/v1/stats?function=${NAME}`);
    expect(stats.body).toMatchObject({ invocations: 2, coldStarts: 1 });
    const printed = await lambkin('logs', NAME, '--request-id', runs[0]!.requestId);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toBe('');
    expect(printed.stderr).toContain('no log lines');

    // Deploying again with logging still off does not repeat the warning.
    expect((await lambkin('deploy', join(work, NAME), '--no-logs')).code).toBe(0);
    await invokeJson(lk.lambda, NAME, { n: 3 });
    expect(warnings()).toHaveLength(1);
  });

  it('--logs switches capture back on', async () => {
    expect((await lambkin('deploy', join(work, NAME), '--logs')).code).toBe(0);
    const run = await invokeJson(lk.lambda, NAME, { n: 4 });
    const events = await filterAll(lk.logs, { logGroupName: GROUP });
    expect(events.map((e) => e.message)).toContain('secret stuff 4');
    expect(events.some((e) => e.message!.includes(run.requestId))).toBe(true);
    expect(events.some((e) => /secret stuff [123]$/.test(e.message!))).toBe(false);
  });
});
