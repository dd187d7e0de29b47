// Single-use environments: a function deployed with `lambkin deploy --single-use` (API field
// LambkinSingleUse) gets a fresh environment for every invocation, destroyed after it — so nothing
// one request leaves behind (module state, files in /tmp) reaches the next. Off by default.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { runCli } from '../helpers/cli.js';
import { environmentGone, envIdOf } from '../helpers/functions.js';
import { call, waitFor } from './hostile.js';

// Module state and a file in /tmp, both set by every invocation: a reused environment shows them.
const NODE = `
const fs = require('node:fs');
let count = 0;
exports.lambda_handler = async (event, context) => {
  count++;
  const hadFile = fs.existsSync('/tmp/left-behind');
  fs.writeFileSync('/tmp/left-behind', 'secret of the previous request');
  if (event.hold) await new Promise((r) => setTimeout(r, event.hold));
  return { count, hadFile, stream: context.logStreamName };
};
`;
const PYTHON = `
import os, time
count = 0
def lambda_handler(event, context):
    global count
    count += 1
    had_file = os.path.exists('/tmp/left-behind')
    with open('/tmp/left-behind', 'w') as f:
        f.write('secret of the previous request')
    if event.get('hold'):
        time.sleep(event['hold'] / 1000)
    return {'count': count, 'hadFile': had_file, 'stream': context.log_stream_name}
`;

let lk: Lambkin;
const dirs: Record<string, string> = {};

beforeAll(async () => {
  lk = await startLambkin();
  for (const [runtime, file, code] of [['node', 'lambda_function.js', NODE], ['python', 'lambda_function.py', PYTHON]] as const) {
    dirs[runtime] = mkdtempSync(join(tmpdir(), `lambkin-single-use-${runtime}-`));
    writeFileSync(join(dirs[runtime]!, file), code);
  }
});
afterAll(async () => {
  await lk?.stop();
  for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
});

interface Answer { readonly count: number; readonly hadFile: boolean; readonly stream: string }

async function deploy(name: string, runtime: 'node' | 'python', ...flags: string[]): Promise<void> {
  const r = await runCli(lk.url, 'deploy', dirs[runtime]!, '--name', name, '--runtime', runtime === 'node' ? 'nodejs20.x' : 'python3.11', ...flags);
  expect(r.code, r.stderr).toBe(0);
}

async function environmentsOf(fn: string): Promise<unknown[]> {
  const r = await fetch(`${lk.url}/lambkin/v1/environments?function=${fn}`);
  return ((await r.json()) as { environments: unknown[] }).environments;
}

describe('single-use environments', () => {
  it('off by default: a warm environment keeps its module state and /tmp (as on Lambda)', async () => {
    await deploy('reused', 'node');
    expect((await call(lk.lambda, 'reused')).body).toMatchObject({ count: 1, hadFile: false });
    expect((await call(lk.lambda, 'reused')).body).toMatchObject({ count: 2, hadFile: true });
  });

  for (const runtime of ['node', 'python'] as const) {
    it(`deploy --single-use (${runtime}): no state survives between invocations, and every environment is removed`, async () => {
      const name = `once-${runtime}`;
      await deploy(name, runtime, '--single-use');
      const config = await fetch(`${lk.url}/2015-03-31/functions/${name}/configuration`).then((r) => r.json()) as Record<string, unknown>;
      expect(config.LambkinSingleUse).toBe(true);

      const answers: Answer[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await call(lk.lambda, name);
        expect(r.functionError, r.text).toBeUndefined();
        answers.push(r.body as Answer);
      }
      // Four at once: four environments, each fresh.
      const held = await Promise.all(Array.from({ length: 4 }, () => call(lk.lambda, name, { hold: 300 })));
      answers.push(...held.map((r) => r.body as Answer));
      for (const a of answers) expect(a).toMatchObject({ count: 1, hadFile: false });
      const streams = answers.map((a) => a.stream);
      expect(new Set(streams).size).toBe(streams.length);

      // Each environment is destroyed after its invocation: processes, folders, cgroups.
      await waitFor('every environment to be gone', async () => (await environmentsOf(name)).length === 0);
      for (const stream of streams) {
        expect(environmentGone(lk.dataDir, stream)).toBe(true);
        expect(existsSync(`/sys/fs/cgroup/memory/lambkin/${lk.proc.pid}/${envIdOf(stream)}`)).toBe(false);
      }
    });
  }

  it('--no-single-use reuses environments again', async () => {
    await deploy('once-node', 'node', '--no-single-use');
    const first = (await call(lk.lambda, 'once-node')).body as Answer;
    const second = (await call(lk.lambda, 'once-node')).body as Answer;
    expect(second).toMatchObject({ count: first.count + 1, hadFile: true, stream: first.stream });
  });
});
