// The runtime catalogue as users meet it: `lambkin runtimes` lists every runtime with installed /
// missing / unavailable and what to install; CreateFunction with a runtime the server cannot run
// fails with InvalidParameterValueException naming what to install (a server started with a PATH
// that has no ruby, java or python stands in for a machine without them).
import { execFile } from 'node:child_process';
import { CreateFunctionCommand, type Runtime } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startLambkin, type Lambkin } from '../helpers/server.js';
import { ROLE } from '../helpers/functions.js';
import { zip } from '../helpers/zip.js';
import { which } from '../conformance/runtime-packages.js';
import { failure } from '../helpers/failure.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function lambkin(endpoint: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, '--endpoint', endpoint, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

let full: Lambkin;
let bare: Lambkin;

beforeAll(async () => {
  [full, bare] = await Promise.all([startLambkin(), startLambkin({ env: { PATH: '/lambkin-empty-path' } })]);
});
afterAll(async () => {
  await Promise.all([full?.stop(), bare?.stop()]);
});

describe('lambkin runtimes', () => {
  it('lists every runtime with its ids and status, and the interpreter that runs it', async () => {
    const run = await lambkin(full.url, 'runtimes');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^RUNTIME\s+IDS\s+STATUS\s+RUNS ON/);
    expect(run.stdout).toMatch(/Node\.js\s+nodejs18\.x nodejs20\.x nodejs22\.x\s+installed\s+node \d+/);
    expect(run.stdout).toMatch(/Custom \(provided\)\s+provided provided\.al2 provided\.al2023\s+installed/);
    expect(run.stdout).toMatch(/\.NET\s+dotnet6 dotnet8\s+unavailable/);
    expect(run.stdout).toContain('.NET (unavailable): .NET is not packaged for Debian 12');
    if (which('ruby')) expect(run.stdout).toMatch(/Ruby\s+ruby3\.2 ruby3\.3\s+installed\s+ruby \d+\.\d+/);
    if (which('java')) expect(run.stdout).toMatch(/Java\s+java17 java21\s+installed\s+openjdk \d+/);
  });

  it('says what to install for what the server is missing', async () => {
    const run = await lambkin(bare.url, 'runtimes', '--json');
    expect(run.code).toBe(0);
    const list = JSON.parse(run.stdout) as { name: string; status: string; hint?: string }[];
    const by = Object.fromEntries(list.map((r) => [r.name, r]));
    expect(by['Node.js']!.status).toBe('installed');
    expect(by.Ruby).toMatchObject({ status: 'missing', hint: 'ruby is not installed: apt-get install -y ruby' });
    expect(by.Java).toMatchObject({ status: 'missing', hint: expect.stringContaining('apt-get install -y default-jdk-headless') });
    expect(by.Python).toMatchObject({ status: 'missing', hint: expect.stringContaining('apt-get install -y python3') });
    expect(by['.NET']).toMatchObject({ status: 'unavailable', hint: expect.stringContaining('provided.al2023') });
  });

  it('without a server, says how to start one', async () => {
    const run = await lambkin('http://127.0.0.1:9', 'runtimes');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('lambkin serve');
  });
});

describe('CreateFunction with a runtime the server cannot run', () => {
  const create = (lk: Lambkin, name: string, runtime: string) => lk.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: runtime as Runtime, Role: ROLE, Handler: 'lambda_function.lambda_handler',
    Code: { ZipFile: zip({ 'lambda_function.rb': 'def lambda_handler(event:, context:) = event\n' }) },
  }));

  it.each([
    ['ruby3.3', 'ruby is not installed: apt-get install -y ruby'],
    ['java17', 'apt-get install -y default-jdk-headless'],
  ])('%s on a server without it: InvalidParameterValueException naming what to install', async (runtime, hint) => {
    const err = await failure(create(bare, `missing-${runtime.replace('.', '-')}`, runtime));
    expect(err?.name).toBe('InvalidParameterValueException');
    expect(err?.message).toContain(`The runtime ${runtime} is not available on this server`);
    expect(err?.message).toContain(hint);
  });

  it('dotnet8 anywhere: InvalidParameterValueException saying to deploy it as provided.al2023', async () => {
    const err = await failure(create(full, 'dotnet-fn', 'dotnet8'));
    expect(err?.name).toBe('InvalidParameterValueException');
    expect(err?.message).toContain('self-contained');
    expect(err?.message).toContain('provided.al2023');
  });
});
