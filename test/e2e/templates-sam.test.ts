// `lambkin deploy --template template.yaml` against a real server, checked with the AWS SDK: the
// example SAM application (Parameters with an override, Mappings, Conditions, Globals, a Node.js
// and a Python function from CodeUri folders, an InlineCode function, AutoPublishAlias, an HttpApi
// event as a function URL, a layer) deploys and answers; unsupported fields are listed once with
// their line; an invalid template, or a deploy the server refuses half-way, changes nothing.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetAliasCommand, GetFunctionCommand, GetFunctionConfigurationCommand, GetFunctionUrlConfigCommand,
  ListFunctionsCommand, ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../helpers/cli.js';
import { ROOT, startLambkin, type Lambkin } from '../helpers/server.js';
import { invokeOk } from '../helpers/functions.js';

let lk: Lambkin;
let work: string;
let app: string;

const LAYERS_MESSAGE = 'layers are not supported by this server yet';

function lambkin(...args: string[]): Promise<CliRun> {
  return runCli(lk.url, ...args);
}

/** The 1-based line of the first line of `file` that contains `text` (after line `after`). */
function lineOf(file: string, text: string, after = 0): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l, n) => n >= after && l.includes(text));
  if (i < 0) throw new Error(`${text} not in ${file}`);
  return i + 1;
}

const invoke = (name: string, qualifier?: string) => invokeOk<Record<string, unknown>>(lk.lambda, name, {}, { qualifier });

async function config(name: string) {
  return lk.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
}

/** What a user could see of the deployed application: to compare before and after a failed deploy. */
async function state(): Promise<unknown> {
  const names = ((await lk.lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName).sort();
  const greet = (await lk.lambda.send(new GetFunctionCommand({ FunctionName: 'shop-greet' }))).Configuration!;
  const versions = (await lk.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'shop-greet' }))).Versions!.map((v) => v.Version);
  const alias = await lk.lambda.send(new GetAliasCommand({ FunctionName: 'shop-greet', Name: 'live' }));
  const report = await config('shop-report');
  return {
    names, versions, alias: alias.FunctionVersion,
    greet: [greet.CodeSha256, greet.MemorySize, greet.Timeout, greet.Environment?.Variables],
    report: [report.CodeSha256, report.Runtime, report.MemorySize, report.Environment?.Variables],
    answer: await invoke('shop-greet', 'live'),
  };
}

beforeAll(async () => {
  lk = await startLambkin();
  work = mkdtempSync(join(tmpdir(), 'lambkin-sam-'));
  app = join(work, 'shop'); // the folder's name is the stack's: functions are shop-greet, shop-report, shop-audit
  cpSync(join(ROOT, 'examples/templates/sam-app'), app, { recursive: true });
});
afterAll(async () => {
  await lk?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('deploy --template (SAM)', () => {
  let first: CliRun;

  it('deploys every function with Globals merged, parameters overridden and intrinsics resolved', async () => {
    first = await lambkin('deploy', '--template', join(app, 'template.yaml'), '--parameter-overrides', 'Stage=prod', 'GreetingWord=Hi');
    expect(first.stderr).not.toMatch(/internal error/);
    expect(first.code).toBe(0);

    const greet = await config('shop-greet');
    expect(greet.Runtime).toBe('nodejs20.x');
    expect([greet.MemorySize, greet.Timeout]).toEqual([256, 10]); // from Globals
    expect(greet.Environment?.Variables).toEqual({
      STAGE: 'prod', LOG_LEVEL: 'warn', // Globals, merged with the function's own variables
      GREETING: 'Hi from shop',
      REPORT_ARN: 'arn:aws:lambda:us-east-1:000000000000:function:shop-report',
      REGION_LIST: 'us-east-1a,us-east-1b,us-east-1c',
      FIRST_TAG: 'blue',
    });
    const report = await config('shop-report');
    expect([report.Runtime, report.MemorySize, report.Timeout]).toEqual(['python3.11', 512, 10]); // its own MemorySize wins
    expect(report.Environment?.Variables).toEqual({ STAGE: 'prod', LOG_LEVEL: 'warn', MODE: 'strict' });

    expect(await invoke('shop-audit')).toEqual({ audited: true, stage: 'prod' }); // InlineCode, Condition IsProd true
    const answer = await invoke('shop-report');
    expect(answer).toMatchObject({ mode: 'strict', stage: 'prod', logLevel: 'warn', memory: 512 });
    // Until the server has layers, the function is deployed without its layer and the table says so.
    if (first.stdout.includes(LAYERS_MESSAGE)) expect(answer.layer).toBeNull();
    else expect(answer.layer).toBe('from the shared layer');
  });

  it('publishes a version for AutoPublishAlias and serves the HttpApi event at a function URL', async () => {
    const alias = await lk.lambda.send(new GetAliasCommand({ FunctionName: 'shop-greet', Name: 'live' }));
    expect(alias.FunctionVersion).toBe('1');
    expect(await invoke('shop-greet', 'live')).toMatchObject({ greeting: 'Hi from shop', stage: 'prod' });
    const url = (await lk.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'shop-greet', Qualifier: 'live' }))).FunctionUrl!;
    expect(first.stdout).toContain(url);
    const res = await fetch(new URL('greet', url));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ greeting: 'Hi from shop', path: '/greet' });
  });

  it('lists what it does not deploy or run once, each with its template line', () => {
    const file = join(app, 'template.yaml');
    const at = (text: string) => `${file}:${lineOf(file, text)}`;
    const row = (text: string) => first.stdout.split('\n').filter((l) => l.includes(text));
    expect(row('AWS::DynamoDB::Table')).toEqual([expect.stringContaining(at('OrdersTable:'))]);
    expect(row('Policies')).toEqual([expect.stringMatching(new RegExp(`^${at('Policies:')}\\s+ReportFunction\\s+Policies\\s+no effect locally`))]);
    expect(row('Events.Nightly')).toEqual([expect.stringContaining('Schedule event: not run locally')]);
    expect(row('Events.Nightly')[0]).toContain(at('Nightly:'));
    expect(row('Events.Greet')[0]).toContain('served at the function URL');
  });

  it('updates the functions on the next deploy: new code, a new alias version, default parameters, false conditions skipped', async () => {
    writeFileSync(join(app, 'greet/app.js'), 'exports.handler = async () => ({ greeting: process.env.GREETING, edition: 2 });\n');
    const second = await lambkin('deploy', '--template', join(app, 'template.yaml'));
    expect(second.stderr).not.toMatch(/internal error/);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/GreetFunction\s+shop-greet\s+updated/);
    expect(second.stdout).toContain('skipped AuditFunction (condition IsProd is false)');
    expect((await lk.lambda.send(new GetAliasCommand({ FunctionName: 'shop-greet', Name: 'live' }))).FunctionVersion).toBe('2');
    expect(await invoke('shop-greet', 'live')).toEqual({ greeting: 'Hello from shop', edition: 2 });
    expect((await config('shop-report')).Environment?.Variables).toEqual({ STAGE: 'dev', LOG_LEVEL: 'debug', MODE: 'relaxed' });
  });
});

describe('an invalid template changes nothing', () => {
  const variant = (name: string, edit: (text: string) => string): string => {
    const file = join(app, name);
    writeFileSync(file, edit(readFileSync(join(app, 'template.yaml'), 'utf8')));
    return file;
  };

  it('refuses an unsupported runtime, naming its line, before any change', async () => {
    const before = await state();
    writeFileSync(join(app, 'greet/app.js'), 'exports.handler = async () => "must not be deployed";\n');
    const file = variant('bad-runtime.yaml', (t) => t.replace(/(ReportFunction:[\s\S]*?Runtime: )python3\.11/, '$1python2.7'));
    const line = lineOf(file, 'Runtime: python2.7');
    const run = await lambkin('deploy', '--template', file);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:${line}: Runtime 'python2.7' is not supported`);
    expect(await state()).toEqual(before);
  });

  it('refuses a !Ref to nothing, naming its line', async () => {
    const before = await state();
    const file = variant('bad-ref.yaml', (t) => t.replace('          MODE: !If', '          TABLE: !Ref NoSuchTable\n          MODE: !If'));
    const run = await lambkin('deploy', '--template', file);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:${lineOf(file, 'NoSuchTable')}: !Ref NoSuchTable: there is no parameter or resource named NoSuchTable`);
    expect(await state()).toEqual(before);
  });

  it('undoes every change when the server refuses a step half-way', async () => {
    const before = await state();
    // Functions deploy in the template's order: greet and report are updated, extra is created, then
    // the audit function's reservation is refused (more than the server's whole concurrency).
    const file = variant('refused.yaml', (t) => t
      .replace('  AuditFunction:', '  ExtraFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.11\n      Handler: index.handler\n      InlineCode: "def handler(e, c): return 1"\n\n  AuditFunction:')
      .replace('      InlineCode: |\n        import os', '      ReservedConcurrentExecutions: 100000\n      InlineCode: |\n        import os'));
    const run = await lambkin('deploy', '--template', file, '--parameter-overrides', 'Stage=prod');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`${file}:${lineOf(file, 'AuditFunction:')}: AuditFunction: reserved concurrency failed: InvalidParameterValueException`));
    expect(run.stderr).toMatch(/change\(s\) this deploy made were undone: the server is as before/);
    expect(await state()).toEqual(before); // ExtraFunction deleted again, greet's code, version list and alias as they were
  });
});
