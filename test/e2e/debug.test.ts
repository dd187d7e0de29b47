// `lambkin invoke --debug` (the built CLI) against a real server in the namespace sandbox: a
// debugger session over the Chrome DevTools Protocol, as DevTools or VS Code would drive it — a
// breakpoint in the handler pauses the invocation, a local variable is read, resuming lets the
// result arrive. The port is on the host's 127.0.0.1 only; while paused, other invocations run in
// other environments; a Python function without debugpy gets a message saying how to install it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startLambkin, type Lambkin } from '../helpers/server.js';
import { createFunction, invoke, NODE, PROCESS_SANDBOX, PYTHON, waitFor } from '../helpers/functions.js';
import { JAVA } from '../conformance/runtime-targets.js';
import { CdpSession, listTargets } from '../helpers/cdp.js';
import { runCli } from '../helpers/cli.js';

let lk: Lambkin;
const running: ChildProcess[] = [];
const work = mkdtempSync(join(tmpdir(), 'lambkin-debug-'));

const HANDLER = `exports.lambda_handler = async (event) => {
  const doubled = event.n * 2;
  return { doubled, pid: process.pid };
};
`;

beforeAll(async () => {
  lk = await startLambkin();
  await createFunction(lk.lambda, 'dbg', NODE, { 'lambda_function.js': HANDLER });
  await createFunction(lk.lambda, 'dbgpy', PYTHON, { 'lambda_function.py': 'def lambda_handler(event, context):\n    return 1\n' });
}, 60_000);

afterAll(async () => {
  for (const p of running) if (p.exitCode === null) p.kill('SIGKILL');
  await lk?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** `p`, or a failure saying what `explain` finds if it has not settled after `ms`. */
async function within<T>(ms: number, p: Promise<T>, explain: () => Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => void explain().then((why) => reject(new Error(`not within ${ms} ms:\n${why}`))), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The inspector's targets on `port` once it answers (its environment has started). */
function inspectorUp(port: number, notId?: string) {
  return waitFor('the inspector', async () => {
    try {
      const list = await listTargets(port);
      return list.length > 0 && (list[0] as { id?: string }).id !== notId ? list : undefined;
    } catch {
      return undefined;
    }
  }, 60_000);
}

/** The debugged runtimes' threads and what each waits in: said when a step does not come. */
function runtimes(): string {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    if (!/--inspect=|UNIX-LISTEN:.*debug\.sock/.test(cmd)) continue;
    out.push(`${pid} ${cmd.slice(0, 120)}`);
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
        let wchan = '';
        try { wchan = readFileSync(`/proc/${pid}/task/${tid}/wchan`, 'utf8'); } catch { /* none */ }
        out.push(`  ${tid} ${readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()} ${state} ${wchan}`);
      }
      const cg = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.includes('freezer')) ?? '';
      if (cg) {
        const path = `/sys/fs/cgroup/freezer${cg.split(':')[2]}/freezer.state`;
        try { out.push(`  freezer ${readFileSync(path, 'utf8').trim()} (${path})`); } catch { /* none */ }
      }
    } catch {
      // gone
    }
  }
  return out.join('\n');
}

/** The server's environments of `name`. */
async function envsOf(name: string): Promise<{ id: string; busy: boolean }[]> {
  const res = await fetch(`${lk.url}/lambkin/v1/environments?function=${name}`);
  return ((await res.json()) as { environments: { id: string; busy: boolean }[] }).environments;
}

/** A session on the target, through the host's port (the inspector names the port it has inside). */
function attach(port: number, target: { webSocketDebuggerUrl: string }): Promise<CdpSession> {
  return CdpSession.connect(target.webSocketDebuggerUrl.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`));
}

/** Sockets listening on `port` (TCP, v4 and v6), as hex local addresses from /proc/net. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A')
    .map((f) => f[1]!.split(':')[0]!));
}

describe('invoke --debug (Node.js)', () => {
  it('pauses at a breakpoint, shows a local, resumes to the result; the port is on 127.0.0.1 only; others run elsewhere', async () => {
    const proc = spawn(process.execPath, [CLI, '--endpoint', lk.url, 'invoke', '--debug', 'dbg', '--payload', '{"n": 21}'], {
      env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    running.push(proc);
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const port = await waitFor('the debug address', () => {
      const m = /on 127\.0\.0\.1:(\d+)[\s\S]*timeout is suspended/.exec(stderr);
      return m ? Number(m[1]) : proc.exitCode !== null ? Promise.reject(new Error(stderr)) : undefined;
    }, 60_000);
    // 127.0.0.1 only: no listener on any other address (0.0.0.0, ::, …) has this port.
    expect(listeners(port)).toEqual(['0100007F']);

    // The runtime's inspector is up once its environment has started.
    const targets = await inspectorUp(port);
    const cdp = await within(30_000, attach(port, targets[0]!), async () => `attach: ${JSON.stringify(targets)}\n${runtimes()}`);
    let debugged: string | undefined;
    const seen = async () => `CLI stdout ${stdout}\nCLI stderr ${stderr}\nenvironments ${await (await fetch(`${lk.url}/lambkin/v1/environments?function=dbg`)).text()}\nCDP ${cdp.trace.join('\n')}\n${runtimes()}`;
    try {
      await within(30_000, cdp.send('Debugger.enable'), seen);
      await within(30_000, cdp.send('Runtime.enable'), seen);
      // Line 2 (0-based): `return { doubled, ... }`, where `doubled` is set.
      const bp = await within(30_000, cdp.send('Debugger.setBreakpointByUrl', { urlRegex: 'lambda_function\\.js$', lineNumber: 2 }), seen);
      expect(bp.breakpointId).toBeTruthy();
      proc.stdin!.write('\n'); // attached: the user presses Enter, the CLI invokes

      const paused = await within(60_000, cdp.event('Debugger.paused'), seen);
      const frame = (paused.callFrames as { callFrameId: string }[])[0]!;
      const value = await within(30_000, cdp.send('Debugger.evaluateOnCallFrame', { callFrameId: frame.callFrameId, expression: 'doubled' }), seen);
      expect((value.result as { value: unknown }).value).toBe(42);

      // Paused (longer than nothing: its timeout is suspended): another invoke runs elsewhere.
      const other = await within(60_000, invoke<{ doubled: number; pid: number }>(lk.lambda, 'dbg', { n: 1 }), async () => `the other invoke\n${await seen()}`);
      expect(other.functionError).toBeUndefined();
      expect(other.body.doubled).toBe(2);

      // One debug environment per function at a time: asking again while it runs is refused.
      const again = await within(30_000, runCli(lk.url, 'invoke', '--debug', 'dbg'), async () => `a second invoke --debug did not end\n${await seen()}`);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/already has a debug environment/);

      debugged = await envsOf('dbg').then((envs) => envs.find((e) => e.busy)?.id);
      expect(debugged).toBeTruthy();
      await within(30_000, cdp.send('Debugger.resume'), seen);
      const code = await within(60_000, new Promise<number | null>((resolve) => (proc.exitCode !== null ? resolve(proc.exitCode) : proc.once('exit', resolve))), seen);
      expect(code, stderr).toBe(0);
      expect(JSON.parse(stdout).doubled).toBe(42);
      // The result is in, and the debugger is still connected: its session ends when it detaches,
      // not cut off the moment the invocation ended.
      const after = await within(30_000, cdp.send('Runtime.evaluate', { expression: '6 * 7' }), seen);
      expect((after.result as { value: unknown }).value).toBe(42);
      // Retired after its one invocation: its port takes no new debugger.
      await waitFor('the debug port to close', () => listeners(port).length === 0, 30_000);
    } finally {
      cdp.close();
    }
    // Detached, the debug environment goes away.
    await waitFor('the debug environment to stop', async () => !(await envsOf('dbg')).some((e) => e.id === debugged), 30_000);
  }, 120_000);
});

describe('dev --debug', () => {
  it('keeps a debug environment ready: a breakpoint pauses the next invocation, and another is ready after it', async () => {
    const dir = join(work, 'dbgdev');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.js'), HANDLER.replace('lambda_handler', 'handler'));
    const proc = spawn(process.execPath, [CLI, '--endpoint', lk.url, 'dev', dir, '--name', 'dbgdev', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--debug', 'dbgdev'], {
      env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(proc);
    let output = '';
    proc.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const port = await waitFor('the debug address', () => {
      const m = /on 127\.0\.0\.1:(\d+)[\s\S]*timeout is suspended/.exec(output);
      return m ? Number(m[1]) : proc.exitCode !== null ? Promise.reject(new Error(output)) : undefined;
    }, 60_000);
    const first = await inspectorUp(port);
    const cdp = await within(30_000, attach(port, first[0]!), async () => `attach: ${JSON.stringify(first)}\n${runtimes()}`);
    const seen = async () => `dev output ${output}\nenvironments ${await (await fetch(`${lk.url}/lambkin/v1/environments?function=dbgdev`)).text()}\nCDP ${cdp.trace.join('\n')}\n${runtimes()}`;
    try {
      await within(30_000, cdp.send('Debugger.enable'), seen);
      await within(30_000, cdp.send('Debugger.setBreakpointByUrl', { urlRegex: 'index\\.js$', lineNumber: 2 }), seen);
      const result = invoke<{ doubled: number }>(lk.lambda, 'dbgdev', { n: 5 });
      const paused = await within(60_000, cdp.event('Debugger.paused'), seen);
      const frame = (paused.callFrames as { callFrameId: string }[])[0]!;
      const value = await within(30_000, cdp.send('Debugger.evaluateOnCallFrame', { callFrameId: frame.callFrameId, expression: 'doubled' }), seen);
      expect((value.result as { value: unknown }).value).toBe(10);
      await within(30_000, cdp.send('Debugger.resume'), seen);
      expect((await within(60_000, result, seen)).body.doubled).toBe(10);
    } finally {
      cdp.close();
    }
    // The debugged environment is retired; dev asks for the next one, on the same address or a new one it prints.
    await waitFor('the next debug environment', async () => {
      const m = [...output.matchAll(/on (127\.0\.0\.1:\d+)/g)].at(-1)!;
      const next = Number(m[1]!.split(':')[1]);
      try {
        const list = await listTargets(next);
        return list.length > 0 && (list[0] as { id?: string }).id !== (first[0] as { id?: string }).id ? list : undefined;
      } catch {
        return undefined;
      }
    }, 60_000);
    proc.kill('SIGTERM');
    await new Promise((resolve) => (proc.exitCode !== null ? resolve(null) : proc.once('exit', resolve)));
  }, 120_000);
});

/** Whether `python3` (as found on PATH, as the server finds it) can import debugpy. */
const hasDebugpy = (path: string) => spawnSync('python3', ['-c', 'import debugpy'], { env: { ...process.env, PATH: path }, stdio: 'ignore' }).status === 0;

describe.skipIf(hasDebugpy(process.env.PATH ?? ''))('invoke --debug (Python without debugpy)', () => {
  it('says how to install debugpy', async () => {
    const run = await runCli(lk.url, 'invoke', '--debug', 'dbgpy');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/debugpy is not installed/);
    expect(run.stderr).toMatch(/apt-get install -y python3-debugpy/);
    expect(run.stderr).toMatch(/pip install debugpy -t \./);
  }, 60_000);
});

/** POST the debug endpoint (the test servers have no credentials: loopback callers need no signature). */
async function debugSession(url: string, name: string): Promise<{ status: number; body: { port?: number; protocol?: string; address?: string } }> {
  const res = await fetch(`${url}/lambkin/v1/functions/${name}/debug`, { method: 'POST', body: '{}' });
  return { status: res.status, body: (await res.json()) as { port?: number } };
}

describe.skipIf(JAVA.unavailable())('debug environment (Java)', () => {
  it('answers the JDWP handshake on the printed port, and the invocation runs as usual', async () => {
    await createFunction(lk.lambda, 'dbgjava', NODE, JAVA.build().probe, { Runtime: JAVA.runtime, Handler: JAVA.handler, MemorySize: 512 });
    const { status, body } = await debugSession(lk.url, 'dbgjava');
    expect(status).toBe(200);
    expect(body.protocol).toBe('jdwp');
    const port = body.port!;
    expect(listeners(port)).toEqual(['0100007F']);
    // The JVM's debugger, inside the sandbox, through the relay: its handshake is an echo.
    const reply = await waitFor('the JDWP handshake', () => new Promise<string | undefined>((resolve) => {
      const sock = connect({ host: '127.0.0.1', port });
      let got = '';
      sock.on('connect', () => sock.write('JDWP-Handshake'));
      sock.on('data', (c: Buffer) => {
        got += c.toString('latin1');
        if (got.length >= 14) {
          sock.destroy();
          resolve(got);
        }
      });
      sock.on('error', () => resolve(undefined));
      sock.on('close', () => resolve(got.length >= 14 ? got : undefined));
    }), 60_000);
    // The handshake's echo (a JDWP packet of the JVM's may follow it in the same read).
    expect(reply.slice(0, 14)).toBe('JDWP-Handshake');
    const out = await invoke(lk.lambda, 'dbgjava', { hello: 'jdwp' });
    expect(out.functionError).toBeUndefined();
    await waitFor('the debug port to close', () => listeners(port).length === 0, 30_000);
  }, 120_000);
});

describe('debug environment (--sandbox process: the runtime listens on the host loopback itself)', () => {
  let plain: Lambkin | undefined;
  afterAll(async () => {
    await plain?.stop();
  });

  it('opens the inspector on 127.0.0.1 only', async () => {
    plain = await startLambkin({ args: PROCESS_SANDBOX });
    await createFunction(plain.lambda, 'dbgp', NODE, { 'lambda_function.js': HANDLER });
    const { status, body } = await debugSession(plain.url, 'dbgp');
    expect(status).toBe(200);
    const targets = await inspectorUp(body.port!);
    expect(targets[0]!.webSocketDebuggerUrl).toContain(`127.0.0.1:${body.port}`);
    expect(listeners(body.port!)).toEqual(['0100007F']);
    // Asking again while it waits gives the same one.
    expect((await debugSession(plain.url, 'dbgp')).body.port).toBe(body.port);
    const out = await invoke<{ doubled: number }>(plain.lambda, 'dbgp', { n: 4 });
    expect(out.body.doubled).toBe(8);
  }, 120_000);
});
