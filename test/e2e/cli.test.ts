// The lambkin CLI (the built bin/lambkin.js, spawned as a user runs it) against a real server:
// deploy a folder, invoke it (result on stdout; a function error on stderr and a non-zero exit),
// list, redeploy with new settings, remove; list and stop environments (`lambkin envs`).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { waitFor } from '../helpers/functions.js';

let lk: Lambkin;
let work: string;

function lambkin(...args: string[]): Promise<CliRun> {
  return runCli(lk.url, ...args);
}

const SOURCES = {
  node: ['lambda_function.js', `exports.lambda_handler = async (event) => {
  if (event.fail) throw new RangeError('asked to fail: ' + event.fail);
  return { message: 'Hello, ' + (event.name || 'world') + '!', from: 'node' };
};
`],
  python: ['lambda_function.py', `def lambda_handler(event, context):
    if event.get('fail'):
        raise ValueError('asked to fail: ' + event['fail'])
    return {'message': 'Hello, ' + event.get('name', 'world') + '!', 'from': 'python'}
`],
} as const;

beforeAll(async () => {
  lk = await startLambkin();
  work = mkdtempSync(join(tmpdir(), 'lambkin-cli-'));
  for (const [label, [file, code]] of Object.entries(SOURCES)) {
    mkdirSync(join(work, label));
    writeFileSync(join(work, label, file), code);
  }
});
afterAll(async () => {
  await lk?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(['node', 'python'] as const)('%s', (label) => {
  const name = `cli-${label}`;

  it('deploys a folder and invokes it', async () => {
    const deployed = await lambkin('deploy', join(work, label), '--name', name);
    expect(deployed.stderr).not.toMatch(/internal error/);
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toContain(`deployed ${name}`);

    const invoked = await lambkin('invoke', name, '--payload', '{"name": "Ada"}');
    expect(invoked.code).toBe(0);
    expect(JSON.parse(invoked.stdout)).toEqual({ message: 'Hello, Ada!', from: label });
  });

  it('takes the payload from a file', async () => {
    const file = join(work, `${label}-event.json`);
    writeFileSync(file, '{"name": "Grace"}');
    const invoked = await lambkin('invoke', name, '--payload', `@${file}`);
    expect(invoked.code).toBe(0);
    expect(JSON.parse(invoked.stdout).message).toBe('Hello, Grace!');
  });

  it('prints a function error and exits non-zero', async () => {
    const invoked = await lambkin('invoke', name, '--payload', '{"fail": "on purpose"}');
    expect(invoked.code).not.toBe(0);
    expect(invoked.stdout).toBe('');
    expect(invoked.stderr).toContain(label === 'node' ? 'RangeError' : 'ValueError');
    expect(invoked.stderr).toContain('asked to fail: on purpose');
  });

  it('redeploys with new settings', async () => {
    const again = await lambkin('deploy', join(work, label), '--name', name, '--timeout', '7', '--memory', '256', '--env', 'COLOUR=green');
    expect(again.code).toBe(0);
    const cfg = await lk.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(cfg).toMatchObject({ Timeout: 7, MemorySize: 256, Environment: { Variables: { COLOUR: 'green' } } });
    expect((await lambkin('invoke', name)).code).toBe(0);
  });
});

describe('envs', () => {
  it('lists the environments (no NODE column on one server) and stops one', async () => {
    expect((await lambkin('invoke', 'cli-python')).code).toBe(0);
    const listed = await lambkin('envs', 'cli-python');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+FUNCTION\s+VERSION\s+STATE\s+AGE\s+INVOCATIONS\s+LOG STREAM/);
    const id = /^(\w+)\s+cli-python\s+\$LATEST\s+idle/m.exec(listed.stdout)?.[1];
    expect(id, listed.stdout).toBeDefined();
    const stopped = await lambkin('envs', '--stop', id!);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toContain(`stopping ${id}`);
    await waitFor('the environment to stop', async () => !(await lambkin('envs', 'cli-python')).stdout.includes(id!));
    const again = await lambkin('envs', '--stop', id!);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('ResourceNotFoundException');
  });
});

describe('ls and rm', () => {
  it('lists the deployed functions', async () => {
    const listed = await lambkin('ls');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/cli-node\s+nodejs\S+/);
    expect(listed.stdout).toMatch(/cli-python\s+python3\S+/);
  });

  it('removes a function; invoking it then fails with ResourceNotFoundException', async () => {
    const removed = await lambkin('rm', 'cli-node');
    expect(removed.code).toBe(0);
    expect((await lambkin('ls')).stdout).not.toContain('cli-node');
    const invoked = await lambkin('invoke', 'cli-node');
    expect(invoked.code).not.toBe(0);
    expect(invoked.stderr).toContain('ResourceNotFoundException');
    const again = await lambkin('rm', 'cli-node');
    expect(again.code).not.toBe(0);
  });
});
