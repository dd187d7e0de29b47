// `lambkin dev` (the built CLI, left running as a user leaves it) against a real server: a saved
// edit is redeployed and the next invoke answers with it; a burst of saves makes one redeploy;
// a syntax error is shown at once and the previous version keeps serving; ignored files start
// nothing; with a template, only the edited function is redeployed.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, sdkClients, startLambkin, type Lambkin } from '../helpers/server.js';

let lk: Lambkin;
let work: string;
const running: ChildProcess[] = [];

interface Dev {
  readonly proc: ChildProcess;
  output(): string;
  /** Waits until the output after `from` matches; resolves with the match. */
  waitFor(re: RegExp, from?: number, timeoutMs?: number): Promise<RegExpExecArray>;
}

function dev(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; endpoint?: string | null } = {}): Dev {
  const endpoint = options.endpoint === null ? [] : ['--endpoint', options.endpoint ?? lk.url];
  const proc = spawn(process.execPath, [CLI, ...endpoint, 'dev', ...args], {
    cwd: options.cwd ?? work, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(proc);
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return {
    proc,
    output: () => out,
    waitFor: (re, from = 0, timeoutMs = 30_000) => new Promise((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        const m = re.exec(out.slice(from));
        if (m) return resolve(m);
        if (proc.exitCode !== null) return reject(new Error(`lambkin dev exited (${proc.exitCode}):\n${out}`));
        if (Date.now() - started > timeoutMs) return reject(new Error(`no ${re} within ${timeoutMs} ms:\n${out.slice(from)}`));
        setTimeout(check, 20);
      };
      check();
    }),
  };
}

async function stop(d: Dev): Promise<void> {
  if (d.proc.exitCode !== null) return;
  await new Promise((resolve) => {
    d.proc.once('exit', resolve);
    d.proc.kill('SIGTERM');
  });
}

async function answer(name: string, endpoint = lk): Promise<unknown> {
  const out = await endpoint.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') }));
  return JSON.parse(Buffer.from(out.Payload!).toString('utf8'));
}

const redeploys = (text: string, name: string) => text.split('\n').filter((l) => l.includes(`redeployed ${name} `));

beforeAll(async () => {
  lk = await startLambkin();
  work = mkdtempSync(join(tmpdir(), 'lambkin-dev-'));
});
afterAll(async () => {
  for (const p of running) if (p.exitCode === null) p.kill('SIGKILL');
  await lk?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('lambkin dev <folder>', () => {
  const dir = () => join(work, 'devfn');
  const handler = (value: string) => writeFileSync(join(dir(), 'lambda_function.js'), `exports.lambda_handler = async () => ${JSON.stringify(value)};\n`);
  let d: Dev;

  beforeAll(async () => {
    mkdirSync(dir());
    handler('v1');
    writeFileSync(join(dir(), '.lambkinignore'), 'scratch/\n*.log\n');
    d = dev([dir(), '--name', 'devfn', '--tail']);
    await d.waitFor(/watching /);
  });
  afterAll(async () => d && stop(d));

  it('redeploys a saved edit; the next invoke runs it', async () => {
    expect(await answer('devfn')).toBe('v1');
    const mark = d.output().length;
    handler('v2');
    await d.waitFor(/redeployed devfn \(lambda_function\.js; .*\) in \d+ ms/, mark);
    expect(await answer('devfn')).toBe('v2');
  });

  it('makes one redeploy of a burst of saves', async () => {
    const mark = d.output().length;
    for (let i = 1; i <= 5; i++) handler(`burst ${i}`);
    await d.waitFor(/redeployed devfn /, mark);
    expect(await answer('devfn')).toBe('burst 5');
    // The saves came within microseconds: one batch (two if the watcher split them at worst).
    expect(redeploys(d.output().slice(mark), 'devfn').length).toBeLessThanOrEqual(2);
  });

  it('shows a syntax error at once and keeps the previous version serving until it is fixed', async () => {
    let mark = d.output().length;
    writeFileSync(join(dir(), 'lambda_function.js'), 'exports.lambda_handler = async () => { return "broken";\n');
    await d.waitFor(/devfn: not redeployed, the previous version keeps serving:\n.*lambda_function\.js:\d+[\s\S]*SyntaxError/, mark);
    expect(await answer('devfn')).toBe('burst 5');
    mark = d.output().length;
    handler('fixed');
    await d.waitFor(/redeployed devfn /, mark);
    expect(await answer('devfn')).toBe('fixed');
  });

  it('does not react to ignored files: .git, editor swap files, .lambkinignore patterns', async () => {
    const mark = d.output().length;
    mkdirSync(join(dir(), '.git'), { recursive: true });
    writeFileSync(join(dir(), '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(dir(), '.lambda_function.js.swp'), 'swap');
    mkdirSync(join(dir(), 'scratch'), { recursive: true });
    writeFileSync(join(dir(), 'scratch', 'notes.txt'), 'x');
    writeFileSync(join(dir(), 'debug.log'), 'x');
    handler('after ignored');
    await d.waitFor(/redeployed devfn /, mark);
    // Every redeploy since names the handler's file only.
    for (const line of redeploys(d.output().slice(mark), 'devfn')) expect(line).toMatch(/redeployed devfn \(lambda_function\.js; /);
    expect(await answer('devfn')).toBe('after ignored');
  });
});

describe('lambkin dev prints invocations', () => {
  const dir = () => join(work, 'printed');
  let d: Dev;

  beforeAll(async () => {
    mkdirSync(dir());
    writeFileSync(join(dir(), 'lambda_function.js'), 'exports.lambda_handler = async (e) => { console.log("handling", e.n); if (e.fail) throw new Error("boom\\nsecond line"); return "ok"; };\n');
    d = dev([dir(), '--name', 'printed', '--tail']);
    await d.waitFor(/watching /);
  });
  afterAll(async () => d && stop(d));

  const invoke = async (event: unknown): Promise<string> => {
    const out = await lk.lambda.send(new InvokeCommand({ FunctionName: 'printed', Payload: Buffer.from(JSON.stringify(event)) }));
    return out.$metadata.requestId!;
  };

  it('one line each: request id, cold or warm, duration, outcome, the first error line; --tail adds the log', async () => {
    const mark = d.output().length;
    const first = await invoke({ n: 1 });
    await d.waitFor(new RegExp(`\\d\\d:\\d\\d:\\d\\d printed ${first.slice(0, 8)} cold \\d+ ms, init \\d+ ms success\\n    .*handling 1`), mark);
    const second = await invoke({ n: 2, fail: true });
    await d.waitFor(new RegExp(`printed ${second.slice(0, 8)} warm \\d+ ms error Error: boom\\n`), mark);
  });
});

describe('lambkin dev --template', () => {
  let d: Dev;
  const app = () => join(work, 'stack');

  beforeAll(async () => {
    cpSync(join(ROOT, 'examples/templates/sam-app'), app(), { recursive: true });
    d = dev(['--template', join(app(), 'template.yaml')]);
    await d.waitFor(/watching /);
  });
  afterAll(async () => d && stop(d));

  it('redeploys only the function whose folder changed, Python checked by its own compiler', async () => {
    let mark = d.output().length;
    writeFileSync(join(app(), 'report/app.py'), 'def handler(event, context):\n    return {"edition": 2}\n');
    await d.waitFor(/redeployed stack-report \(app\.py; /, mark);
    expect(await answer('stack-report')).toEqual({ edition: 2 });
    expect(redeploys(d.output().slice(mark), 'stack-greet')).toEqual([]);

    mark = d.output().length;
    writeFileSync(join(app(), 'report/app.py'), 'def handler(event, context)\n    return 3\n');
    await d.waitFor(/stack-report: not redeployed, the previous version keeps serving:\n.*app\.py:1: SyntaxError/, mark);
    expect(await answer('stack-report')).toEqual({ edition: 2 });
  });

  it('moves the alias of an AutoPublishAlias function to the new version', async () => {
    const mark = d.output().length;
    writeFileSync(join(app(), 'greet/app.js'), 'exports.handler = async () => "greet 2";\n');
    await d.waitFor(/redeployed stack-greet \(app\.js; .*, live → 2\)/, mark);
    const out = await lk.lambda.send(new InvokeCommand({ FunctionName: 'stack-greet', Qualifier: 'live', Payload: Buffer.from('{}') }));
    expect(JSON.parse(Buffer.from(out.Payload!).toString('utf8'))).toBe('greet 2');
  });
});

describe('lambkin dev without a server', () => {
  it('starts one, and stops it when dev stops', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const dir = join(work, 'alone');
    mkdirSync(dir);
    writeFileSync(join(dir, 'lambda_function.py'), 'def lambda_handler(event, context):\n    return "alone"\n');
    const d = dev([dir], { endpoint: null, env: { LAMBKIN_PORT: String(port), LAMBKIN_HOST: '127.0.0.1', LAMBKIN_DATA_DIR: join(work, 'alone-data'), LAMBKIN_ENDPOINT: '' } });
    const url = `http://127.0.0.1:${port}`;
    await d.waitFor(new RegExp(`no server was running: started one at ${url}`));
    await d.waitFor(/watching /);
    const { lambda } = sdkClients(url);
    try {
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'alone', Payload: Buffer.from('{}') }));
      expect(JSON.parse(Buffer.from(out.Payload!).toString('utf8'))).toBe('alone');
    } finally {
      lambda.destroy();
    }
    await stop(d);
    await expect(fetch(`${url}/lambkin/v1/runtimes`)).rejects.toThrow();
  });
});
