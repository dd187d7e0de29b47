// `lambkin deploy --template serverless.yml` against a real server, checked with the AWS SDK: the
// example Serverless Framework service (provider defaults, ${self:}, ${env:X, 'd'}, ${opt:stage},
// ${sls:stage}, package.patterns, httpApi and url as function URLs) deploys and answers; what it
// does not run is listed; a variable with no value stops the deploy at its line, changing nothing.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetFunctionConfigurationCommand, GetFunctionUrlConfigCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliRun } from '../helpers/cli.js';
import { CLI, ROOT, startLambkin, type Lambkin } from '../helpers/server.js';
import { invokeOk } from '../helpers/functions.js';

let lk: Lambkin;
let work: string;
let app: string;

/** The CLI with `env` added to (or, for undefined values, taken from) the environment. */
function lambkin(env: Record<string, string | undefined>, ...args: string[]): Promise<CliRun> {
  const full: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete full[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, '--endpoint', lk.url, ...args], { env: full }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

function lineOf(file: string, text: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`${text} not in ${file}`);
  return i + 1;
}

const invoke = (name: string) => invokeOk<Record<string, unknown>>(lk.lambda, name);

async function functionNames(): Promise<string[]> {
  return ((await lk.lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName!).sort();
}

beforeAll(async () => {
  lk = await startLambkin();
  work = mkdtempSync(join(tmpdir(), 'lambkin-sls-'));
  app = join(work, 'greeter');
  cpSync(join(ROOT, 'examples/templates/serverless-app'), app, { recursive: true });
});
afterAll(async () => {
  await lk?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('deploy --template serverless.yml', () => {
  let run: CliRun;
  const file = () => join(app, 'serverless.yml');

  it('deploys <service>-<stage>-<function> with the variables resolved', async () => {
    run = await lambkin({ GREETING_WORD: 'Hey' }, 'deploy', '--template', file(), '--stage', 'prod');
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    expect(await functionNames()).toEqual(['greeter-prod-greet', 'greeter-prod-report']);

    const greet = await lk.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'greeter-prod-greet' }));
    expect([greet.Runtime, greet.Handler, greet.MemorySize, greet.Timeout]).toEqual(['nodejs20.x', 'src/greet.handler', 256, 10]);
    // provider.environment merged with the function's; ${sls:stage} inside ${self:custom.logLevel.…}
    expect(greet.Environment?.Variables).toEqual({ STAGE: 'prod', LOG_LEVEL: 'warn', GREETING: 'Hey from greeter' });
    expect(await invoke('greeter-prod-greet')).toMatchObject({ greeting: 'Hey from greeter', stage: 'prod' });

    const report = await invoke('greeter-prod-report');
    // python3.11 and its own memorySize; ${opt:mode, 'relaxed'} took its default; tests/ left out by package.patterns
    expect(report).toEqual({ mode: 'relaxed', stage: 'prod', memory: 512, hasTests: false });
  });

  it('serves httpApi events and url: true at function URLs', async () => {
    for (const name of ['greeter-prod-greet', 'greeter-prod-report']) {
      const url = (await lk.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name }))).FunctionUrl!;
      expect(run.stdout).toContain(url);
    }
    const url = (await lk.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'greeter-prod-greet' }))).FunctionUrl!;
    const res = await fetch(new URL('greet', url));
    expect(await res.json()).toMatchObject({ greeting: 'Hey from greeter', path: '/greet' });
  });

  it('lists plugins, IAM and the schedule event as not run locally, with their lines', () => {
    const rows = run.stdout.split('\n');
    const row = (subject: string, field: string) => rows.filter((l) => new RegExp(`\\s${subject}\\s+${field.replace(/[[\].]/g, '\\$&')}\\s`).test(l));
    expect(row('plugins', '')).toEqual([expect.stringContaining(`${file()}:${lineOf(file(), 'plugins:')}`)]);
    expect(row('provider', 'iam')).toEqual([expect.stringContaining('no effect locally')]);
    expect(row('greet', 'events[1].schedule')).toEqual([expect.stringContaining('schedule event: not run locally')]);
    expect(row('greet', 'events[1].schedule')[0]).toContain(`${file()}:${lineOf(file(), '- schedule:')}`);
  });

  it('uses the defaults of ${opt:stage, …} and ${env:X, …} when nothing is given', async () => {
    const second = await lambkin({ GREETING_WORD: undefined }, 'deploy', '--template', file());
    expect(second.code).toBe(0);
    const greet = await lk.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'greeter-dev-greet' }));
    expect(greet.Environment?.Variables).toEqual({ STAGE: 'dev', LOG_LEVEL: 'debug', GREETING: 'Hello from greeter' });
  });

  it('stops at a variable with no value and no default, naming its line, and changes nothing', async () => {
    const before = await functionNames();
    const bad = join(app, 'bad.yml');
    writeFileSync(bad, readFileSync(file(), 'utf8').replace("MODE: ${opt:mode, 'relaxed'}", 'MODE: ${env:LAMBKIN_TEST_NEVER_SET}'));
    const failed = await lambkin({ LAMBKIN_TEST_NEVER_SET: undefined }, 'deploy', '--template', bad, '--stage', 'prod');
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(`${bad}:${lineOf(bad, 'LAMBKIN_TEST_NEVER_SET')}: \${env:LAMBKIN_TEST_NEVER_SET}: environment variable LAMBKIN_TEST_NEVER_SET is not set`);
    expect(await functionNames()).toEqual(before);

    writeFileSync(bad, readFileSync(file(), 'utf8').replace("MODE: ${opt:mode, 'relaxed'}", 'MODE: ${ssm:/greeter/mode}'));
    const ssm = await lambkin({}, 'deploy', '--template', bad, '--stage', 'prod');
    expect(ssm.code).toBe(2);
    expect(ssm.stderr).toContain(`${bad}:${lineOf(bad, 'ssm:')}: \${ssm:/greeter/mode}: variables of the source 'ssm' are not supported`);
    expect(await functionNames()).toEqual(before);
  });
});
