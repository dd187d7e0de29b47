// The lambkin CLI (bin/lambkin.js, spawned as a user runs it) against a real server:
// `deploy --warm K` leaves K initialised environments for unqualified invokes (re-initialised on
// the next deploy), `deploy` guesses Ruby from a .rb file, `invoke --log` ends its output with a
// newline, and help still lists every command although each command's code loads only when it runs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, invocationLog, invokeJson, reportPattern } from '../helpers/logs.js';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { runCli, type CliRun } from '../helpers/cli.js';

let lk: Lambkin;
let work: string;

function lambkin(...args: string[]): Promise<CliRun> {
  return runCli(lk?.url, ...args);
}

function folder(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const HAS_RUBY = (() => {
  try {
    execFileSync('ruby', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

beforeAll(async () => {
  lk = await startLambkin();
  work = mkdtempSync(join(tmpdir(), 'lambkin-cli-deploy-'));
});
afterAll(async () => {
  await lk?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('deploy --warm', () => {
  // Each invocation holds its environment a while, so that two at once need two environments.
  const code = (mark: string) => `exports.lambda_handler = async () => {
  await new Promise((r) => setTimeout(r, 2500));
  return { mark: '${mark}', init: process.env.AWS_LAMBDA_INITIALIZATION_TYPE };
};
`;

  /** Two invokes at once, unqualified; each must run warm on its own environment. */
  async function twoAtOnce(name: string, mark: string): Promise<void> {
    const both = await Promise.all([invokeJson(lk.lambda, name, {}, true), invokeJson(lk.lambda, name, {}, true)]);
    const envs = new Set<string | undefined>();
    for (const r of both) {
      expect(r.FunctionError).toBeUndefined();
      expect(r.body).toEqual({ mark, init: 'provisioned-concurrency' });
      const report = Buffer.from(r.LogResult!, 'base64').toString('utf8').split('\n').find((l) => l.startsWith('REPORT'));
      expect(report).toMatch(reportPattern(r.requestId, 128, false)); // no Init Duration
      const { invocation } = await invocationLog(lk, r.requestId);
      expect(invocation?.cold).toBe(false);
      envs.add(invocation?.envId);
    }
    expect(envs.size).toBe(2);
  }

  it('leaves K environments initialised for unqualified invokes once deploy returns', async () => {
    const dir = folder('warm', { 'lambda_function.js': code('one') });
    const deployed = await lambkin('deploy', dir, '--name', 'cli-warm', '--warm', '2');
    expect(deployed.stderr).not.toMatch(/internal error/);
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toContain('2 warm environments ready');
    await twoAtOnce('cli-warm', 'one');
  });

  it('re-initialises them with the new code on the next deploy', async () => {
    const dir = folder('warm', { 'lambda_function.js': code('two') });
    const deployed = await lambkin('deploy', dir, '--name', 'cli-warm', '--warm', '2');
    expect(deployed.code).toBe(0);
    await twoAtOnce('cli-warm', 'two');
  });

  it('lets them go with --warm 0, and is not offered as provisioned concurrency on $LATEST', async () => {
    const listed = await api<{ ProvisionedConcurrencyConfigs: unknown[] }>(lk, '/2019-09-30/functions/cli-warm/provisioned-concurrency?List=ALL');
    expect(listed.body.ProvisionedConcurrencyConfigs).toEqual([]);
    const dir = folder('warm', { 'lambda_function.js': code('two') });
    const deployed = await lambkin('deploy', dir, '--name', 'cli-warm', '--warm', '0');
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toContain('no warm environments');
    const status = await api<{ requested: number }>(lk, '/lambkin/v1/functions/cli-warm/warm');
    expect(status.body.requested).toBe(0);
  });

  it('refuses more than the server can run, in one line', async () => {
    const dir = folder('warm', { 'lambda_function.js': code('two') });
    const deployed = await lambkin('deploy', dir, '--name', 'cli-warm', '--warm', '100000');
    expect(deployed.code).toBe(2);
    expect(deployed.stderr).toMatch(/^lambkin: InvalidParameterValueException: .*unreserved concurrency/);
  });
});

describe('deploy guesses Ruby', () => {
  const RUBY = `def lambda_handler(event:, context:)
  { 'message' => "Hello, #{event['name'] || 'world'}!", 'from' => 'ruby' }
end
`;

  it('from the handler\'s .rb file in a folder', async () => {
    const deployed = await lambkin('deploy', folder('ruby', { 'lambda_function.rb': RUBY }), '--name', 'cli-ruby');
    expect(deployed.code).toBe(0);
    expect(deployed.stderr).toContain('runtime: ruby3.3 (guessed from lambda_function.rb');
    expect(deployed.stderr).not.toMatch(/warning/);
    const config = await lk.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'cli-ruby' }));
    expect(config.Runtime).toBe('ruby3.3');
  });

  it.skipIf(!HAS_RUBY)('from one .rb file deployed alone, which then runs', async () => {
    const file = join(work, 'greet.rb');
    writeFileSync(file, RUBY);
    const deployed = await lambkin('deploy', file);
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toContain('deployed greet (ruby3.3');
    const invoked = await lambkin('invoke', 'greet', '--payload', '{"name": "Matz"}');
    expect(invoked.stderr).toBe('');
    expect(JSON.parse(invoked.stdout)).toEqual({ message: 'Hello, Matz!', from: 'ruby' });
  });
});

describe('invoke --log', () => {
  it('prints the result, then a newline, on stdout and the log tail on stderr', async () => {
    const dir = folder('node', { 'lambda_function.js': 'exports.lambda_handler = async (e) => { console.log("got", e.n); return { n: e.n }; };\n' });
    expect((await lambkin('deploy', dir, '--name', 'cli-log')).code).toBe(0);
    const invoked = await lambkin('invoke', 'cli-log', '--payload', '{"n": 7}', '--log');
    expect(invoked.code).toBe(0);
    expect(invoked.stdout.endsWith('}\n')).toBe(true);
    expect(JSON.parse(invoked.stdout)).toEqual({ n: 7 });
    expect(invoked.stderr).toMatch(/\tINFO\tgot 7\n/);
    expect(invoked.stderr).toMatch(/\nREPORT RequestId: [0-9a-f-]+\t[^\n]*\n$/);
  });
});

describe('help, with commands loaded only when they run', () => {
  it('lists every command', async () => {
    const help = await lambkin('--help');
    for (const cmd of ['serve', 'init-credentials', 'deploy', 'invoke', 'ls|list', 'rm|delete', 'runtimes', 'logs', 'stats', 'dlq']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${cmd.replace('|', '\\|')} `, 'm'));
    }
  });

  it('shows one command\'s options, asked either way', async () => {
    expect((await lambkin('help', 'deploy')).stdout).toContain('--warm <K>');
    expect((await lambkin('logs', '--help')).stdout).toContain('--request-id <id>');
  });

  it('suggests a command for a typo, exit 2', async () => {
    const typo = await lambkin('lgos', 'fn');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('(Did you mean logs?)');
  });
});
