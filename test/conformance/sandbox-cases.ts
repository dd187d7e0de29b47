// The SandboxBackend conformance suite: what every backend must do, run against real processes
// by one short file per backend (sandbox-process.test.ts, sandbox-namespace.test.ts). A case
// that a backend cannot meet by design (a process-backend /tmp has no size limit) is declared by
// the backend's capabilities, never skipped silently. Each backend runs it plain and wrapped with
// the pre-start pool (src/sandbox/prestart/backend.ts): wrapped, every case passes through to the
// backend unchanged, and the pre-start cases show that a pre-started sandbox of that backend —
// prepared without code, filled at claim, handed its environment on stdin — runs like one started
// with its code.
import { createServer, type Server } from 'node:http';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prestarted, PrestartRuntime, SandboxBackend, SandboxLayout, SandboxLimits, SandboxProcess, ExitInfo } from '../../src/sandbox/types.js';
import type { PrestartingBackend } from '../../src/sandbox/prestart/backend.js';
import { waitFor as waitUntil } from '../helpers/functions.js';

export interface BackendUnderTest {
  readonly name: string;
  create(runDir: string): SandboxBackend;
  /** /tmp is capped at SandboxLimits.tmpMb. */
  readonly tmpSizeLimited: boolean;
  /** create() wraps the backend with the pre-start pool (withPrestart): its pre-start cases run. */
  readonly prestarting?: boolean;
}

/**
 * A runtime the pool can pre-start: node waiting for its environment, one JSON line on stdin (as
 * lambkin's bootstraps do), then saying what it sees — its folder, the code, a variable it was
 * given, and the Runtime API's answer.
 */
const WAITER: PrestartRuntime = {
  family: 'conformance',
  prestart: { startupVariables: /^NODE_/ },
  launch: () => ({
    command: process.execPath,
    args: ['-e', `
      let line = '';
      process.stdin.on('data', (c) => {
        line += c;
        if (!line.includes('\\n')) return;
        process.stdin.pause();
        Object.assign(process.env, JSON.parse(line));
        fetch('http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime/invocation/next')
          .then((res) => res.text(), (e) => 'failed: ' + e.cause)
          .then((rapi) => console.log('seen:' + JSON.stringify({
            cwd: process.cwd(), text: require('node:fs').readFileSync('hello.txt', 'utf8'), variable: process.env.FUNCTION_VARIABLE, rapi,
          })));
        setInterval(() => {}, 1000);
      });`],
    env: {},
  }),
};

const NODE = process.execPath;
export const LIMITS: SandboxLimits = { memoryMb: 128, tmpMb: 16, pids: 64 };

export interface Running {
  readonly layout: SandboxLayout;
  readonly proc: SandboxProcess;
  stdout(): string;
  stderr(): string;
  telemetry(): string;
  /** Resolves when stdout has a line matching `re`. */
  waitOut(re: RegExp, timeoutMs?: number): Promise<string>;
  end(): Promise<ExitInfo>;
}

/** Run `node -e script` in a fresh environment of the backend; the Runtime API listener answers "rapi-ok". */
export async function runNode(
  backend: SandboxBackend, codeDir: string, script: string,
  env: Record<string, string> | ((layout: SandboxLayout) => Record<string, string>) = {}, limits: SandboxLimits = LIMITS,
  nodeFlags: readonly string[] = [],
): Promise<Running> {
  const layout = await backend.prepare(randomUUID().replaceAll('-', ''), codeDir, limits);
  const extraEnv = typeof env === 'function' ? env(layout) : env;
  const server: Server = createServer((_req, res) => res.end('rapi-ok'));
  const bound = await new Promise<string | { address: string; port: number }>((resolve) => server.listen(layout.listen, () => {
    const a = server.address();
    resolve(typeof a === 'string' ? a : { address: a!.address, port: a!.port });
  }));
  const proc = backend.start(layout, {
    command: NODE, args: [...nodeFlags, '-e', script],
    env: { AWS_LAMBDA_RUNTIME_API: layout.runtimeApiAddress(bound), TASK: layout.taskRoot, TMPDIR: layout.tmpDir, ...extraEnv },
    limits,
  });
  let out = '';
  let err = '';
  let tel = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  proc.telemetry.on('data', (c: Buffer) => (tel += c.toString()));
  const closed = proc.exited.then(async (exit) => {
    server.close();
    return exit;
  });
  return {
    layout, proc, stdout: () => out, stderr: () => err, telemetry: () => tel,
    waitOut: (re, timeoutMs = 20_000) => waitFor(() => re.exec(out)?.[0], timeoutMs, () => `stdout ${out} stderr ${err}`),
    end: async () => {
      proc.kill();
      const exit = await closed;
      await backend.cleanup(layout);
      return exit;
    },
  };
}

/** The helpers' waitFor, with this suite's order of arguments (the probe first). */
export function waitFor<T>(probe: () => T | undefined | false, timeoutMs = 20_000, what = () => ''): Promise<T> {
  return waitUntil(() => `a condition ${what()}`, probe, timeoutMs);
}

/** Host pids whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').includes(marker)) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

const MB = 1024 * 1024;

/** A pre-started sandbox of WAITER from the backend's pool: asked for as a deploy does, taken once ready. */
async function spare(backend: SandboxBackend): Promise<Prestarted> {
  const pool = backend.prestart!;
  const req = { runtime: WAITER, limits: LIMITS, functionEnv: {} };
  pool.prepare(req);
  await waitFor(() => pool.stats().shapes.some((s) => s.shape.startsWith('conformance|') && s.ready > 0), 20_000, () => JSON.stringify(pool.stats()));
  const pre = pool.take(req);
  expect(pre).toBeDefined();
  return pre!;
}

export function sandboxConformance(b: BackendUnderTest): void {
  describe(`SandboxBackend conformance: ${b.name}`, () => {
    let runDir: string;
    let codeDir: string;
    let backend: SandboxBackend;

    beforeAll(() => {
      runDir = mkdtempSync(join(tmpdir(), 'lambkin-sbx-run-'));
      codeDir = mkdtempSync(join(tmpdir(), 'lambkin-sbx-code-'));
      writeFileSync(join(codeDir, 'hello.txt'), 'hello from the package');
      chmodSync(codeDir, 0o755); // as the registry unpacks a package (mkdtemp makes 0700)
      backend = b.create(runDir);
    });
    afterAll(async () => {
      await (backend as Partial<PrestartingBackend>).close?.();
      rmSync(runDir, { recursive: true, force: true });
      rmSync(codeDir, { recursive: true, force: true });
    });

    it('reports a normal exit with its code', async () => {
      const r = await runNode(backend, codeDir, 'process.exit(3)');
      expect(await r.proc.exited).toEqual({ code: 3, signal: null, oomKilled: false });
      await r.end();
    });

    it('reports death by a signal as that signal', async () => {
      const r = await runNode(backend, codeDir, "process.kill(process.pid, 'SIGSEGV')");
      expect(await r.proc.exited).toMatchObject({ code: null, signal: 'SIGSEGV', oomKilled: false });
      await r.end();
    });

    it('gives the process exactly the environment it was given, nothing of the server', async () => {
      const env = { A: '1', QUOTED: `it's "quoted" $HOME \`x\`\nsecond line`, PATH: '/usr/bin:/bin' };
      const r = await runNode(backend, codeDir, 'process.stdout.write(JSON.stringify(process.env))', env);
      await r.proc.exited;
      await waitFor(() => r.stdout().endsWith('}'));
      const seen = JSON.parse(r.stdout()) as Record<string, string>;
      expect(seen).toEqual({ ...env, AWS_LAMBDA_RUNTIME_API: expect.any(String), TASK: r.layout.taskRoot, TMPDIR: r.layout.tmpDir });
      await r.end();
    });

    it('starts in the task root, where the code is, and writes the telemetry pipe as fd 3', async () => {
      const r = await runNode(backend, codeDir, `
        const fs = require('node:fs');
        fs.writeSync(3, 'frame-ok');
        console.log(JSON.stringify({ cwd: process.cwd(), text: fs.readFileSync('hello.txt', 'utf8') }));`);
      await r.waitOut(/\}$/m);
      expect(JSON.parse(r.stdout())).toEqual({ cwd: r.layout.taskRoot, text: 'hello from the package' });
      await waitFor(() => r.telemetry() === 'frame-ok');
      await r.end();
    });

    it('reaches the host\'s Runtime API listener at AWS_LAMBDA_RUNTIME_API', async () => {
      const r = await runNode(backend, codeDir, `
        fetch('http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime/invocation/next')
          .then((res) => res.text()).then((t) => console.log('got:' + t), (e) => console.log('failed:' + e.cause));`);
      expect(await r.waitOut(/^(got|failed):.*$/m)).toBe('got:rapi-ok');
      await r.end();
    });

    it('shows the host\'s Runtime API unix socket at layout.runtimeApiSocket when the host listens on one', async () => {
      // lambkin's own bootstraps connect there directly (_LAMBKIN_RUNTIME_API_SOCKET), skipping the forwarder.
      const r = await runNode(backend, codeDir, `
        const sock = process.env.RAPI_SOCKET;
        if (!sock) console.log('none');
        else require('node:http').get({ socketPath: sock, path: '/2018-06-01/runtime/invocation/next' }, (res) => {
          let t = ''; res.on('data', (c) => (t += c)); res.on('end', () => console.log('got:' + t));
        }).on('error', (e) => console.log('failed:' + e.message));`, (layout) => ({ RAPI_SOCKET: layout.runtimeApiSocket ?? '' }));
      const seen = await r.waitOut(/^(got|failed):.*$|^none$/m);
      if ('path' in r.layout.listen) expect(seen).toBe('got:rapi-ok');
      else expect([seen, r.layout.runtimeApiSocket]).toEqual(['none', undefined]);
      await r.end();
    });

    it('has a private scratch folder that nothing of survives the environment', async () => {
      const name = `scratch-${randomUUID()}`;
      const first = await runNode(backend, codeDir, `require('node:fs').writeFileSync(process.env.TMPDIR + '/${name}', 'x'); console.log('written')`);
      await first.waitOut(/written/);
      await first.end();
      expect(existsSync(first.layout.workDir)).toBe(false);
      const second = await runNode(backend, codeDir, `console.log('exists:' + require('node:fs').existsSync(process.env.TMPDIR + '/${name}'))`);
      expect(await second.waitOut(/exists:\w+/)).toBe('exists:false');
      await second.end();
    });

    it('kill() takes the process and everything it started, a detached grandchild included', async () => {
      const id = randomUUID();
      const marker = `lambkin-orphan-${id}`; // assembled inside, so that only the grandchild's command line has it
      const r = await runNode(backend, codeDir, `
        const { spawn } = require('node:child_process');
        const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'lambkin-orphan-' + '${id}'], { detached: true, stdio: 'ignore' });
        child.unref();
        console.log('spawned');
        setInterval(() => {}, 1000);`);
      await r.waitOut(/spawned/);
      await waitFor(() => processesWith(marker).length === 1, 10_000);
      await r.end();
      await waitFor(() => processesWith(marker).length === 0, 10_000, () => `still running: ${processesWith(marker)}`);
    });

    it('takes the detached grandchild along when the process exits by itself', async () => {
      const id = randomUUID();
      const marker = `lambkin-orphan-${id}`;
      // The parent exits by itself, but only once the test has seen the grandchild running (a
      // fixed delay raced the test's look at /proc on a loaded machine).
      const r = await runNode(backend, codeDir, `
        // lambkin-parent-${id}
        const { spawn } = require('node:child_process');
        spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'lambkin-orphan-' + '${id}'], { detached: true, stdio: 'ignore' }).unref();
        process.on('SIGUSR2', () => process.exit(0));
        console.log('spawned');
        setInterval(() => {}, 1000);`);
      await r.waitOut(/spawned/);
      await waitFor(() => processesWith(marker).length === 1, 20_000);
      const parent = processesWith(`lambkin-parent-${id}`).filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'latin1').trim() === 'node';
        } catch {
          return false;
        }
      });
      expect(parent).toHaveLength(1);
      process.kill(parent[0]!, 'SIGUSR2');
      await r.proc.exited;
      await r.end(); // what the environment does once its runtime has gone
      await waitFor(() => processesWith(marker).length === 0, 10_000, () => `still running: ${processesWith(marker)}`);
    });

    it('reports the memory in use, and a peak that can be reset per invocation', async (ctx) => {
      if (!backend.enforcesMemory) ctx.skip(); // without cgroups the peak is /proc's VmHWM, not resettable
      const r = await runNode(backend, codeDir, `
        let b = Buffer.alloc(${60 * MB}, 1);
        console.log('allocated');
        setTimeout(() => { b = null; globalThis.gc(); console.log('freed'); }, 300);
        setInterval(() => {}, 1000);`, {}, LIMITS, ['--expose-gc']);
      await r.waitOut(/allocated/);
      const peak = r.proc.memory()!.peakBytes;
      expect(peak).toBeGreaterThanOrEqual(60 * MB);
      await r.waitOut(/freed/);
      await waitFor(() => r.proc.memory()!.currentBytes < 40 * MB, 10_000, () => JSON.stringify(r.proc.memory()));
      // peakBytes() (what REPORT reads) is memory()'s peak, read alone.
      expect(r.proc.peakBytes?.()).toBeGreaterThanOrEqual(60 * MB);
      r.proc.resetPeak();
      expect(r.proc.memory()!.peakBytes).toBeLessThan(40 * MB);
      expect(r.proc.peakBytes?.()).toBeLessThan(40 * MB);
      await r.end();
    });

    it('kills an environment that goes over its memory limit, and says so', async (ctx) => {
      if (!backend.enforcesMemory) ctx.skip();
      const r = await runNode(backend, codeDir, `
        const keep = [];
        for (;;) keep.push(Buffer.alloc(${8 * MB}, 1));`);
      const exit = await r.proc.exited;
      expect(exit).toEqual({ code: null, signal: 'SIGKILL', oomKilled: true });
      expect(r.proc.memory()!.peakBytes).toBeGreaterThanOrEqual(0.95 * LIMITS.memoryMb * MB);
      await r.end();
    });

    it('refuses processes beyond the pids limit, and the environment survives it', async (ctx) => {
      if (!backend.enforcesMemory) ctx.skip(); // pids come with the cgroups
      const r = await runNode(backend, codeDir, `
        const { spawn } = require('node:child_process');
        let refused = 0, started = 0;
        const all = [];
        for (let i = 0; i < ${LIMITS.pids + 20}; i++) {
          const c = spawn('/bin/sleep', ['30'], { stdio: 'ignore' });
          c.on('error', () => refused++);
          c.on('spawn', () => started++);
          all.push(c);
        }
        setTimeout(() => console.log('result:' + JSON.stringify({ refused, started })), 1500);
        setInterval(() => {}, 1000);`);
      const line = await r.waitOut(/^result:.*$/m, 30_000);
      const { refused, started } = JSON.parse(line.slice('result:'.length)) as { refused: number; started: number };
      expect(refused).toBeGreaterThan(0);
      expect(started).toBeLessThan(LIMITS.pids);
      await r.end();
    });

    it(`caps the scratch folder at its size${b.tmpSizeLimited ? '' : ' (not this backend: skipped by design)'}`, async (ctx) => {
      if (!b.tmpSizeLimited) ctx.skip();
      const r = await runNode(backend, codeDir, `
        const fs = require('node:fs');
        try { fs.writeFileSync(process.env.TMPDIR + '/big', Buffer.alloc(${(LIMITS.tmpMb + 4) * MB})); console.log('wrote'); }
        catch (e) { console.log('error:' + e.code); }`);
      expect(await r.waitOut(/^(wrote|error:\w+)$/m)).toBe('error:ENOSPC');
      await r.end();
    });

    const wrapped = ' (not this backend: not wrapped with the pre-start pool)';
    it(`pre-start: a spare, claimed with code and limits and handed its environment, runs like a started one${b.prestarting ? '' : wrapped}`, async (ctx) => {
      if (!b.prestarting) ctx.skip();
      const pre = await spare(backend);
      expect(existsSync(join(pre.layout.hostTaskRoot, 'hello.txt'))).toBe(false); // prepared without code
      expect(await pre.claim(codeDir, LIMITS)).toBe(true);
      const server: Server = createServer((_req, res) => res.end('rapi-ok'));
      const bound = await new Promise<string | { address: string; port: number }>((resolve) => server.listen(pre.layout.listen, () => {
        const a = server.address();
        resolve(typeof a === 'string' ? a : { address: a!.address, port: a!.port });
      }));
      const proc = pre.assign({ AWS_LAMBDA_RUNTIME_API: pre.layout.runtimeApiAddress(bound), FUNCTION_VARIABLE: 'given' });
      let out = '';
      proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const line = await waitFor(() => /^seen:.*$/m.exec(out)?.[0], 20_000, () => `stdout ${out}`);
      expect(JSON.parse(line.slice('seen:'.length))).toEqual({
        cwd: pre.layout.taskRoot, text: 'hello from the package', variable: 'given', rapi: 'rapi-ok',
      });
      proc.kill();
      await proc.exited;
      server.close();
      await backend.cleanup(pre.layout); // as the environment does once its runtime has gone
      expect(existsSync(pre.layout.workDir)).toBe(false);
    });

    it(`pre-start: a spare discarded before its environment is killed and removed${b.prestarting ? '' : wrapped}`, async (ctx) => {
      if (!b.prestarting) ctx.skip();
      const pre = await spare(backend);
      expect(existsSync(pre.layout.workDir)).toBe(true);
      await pre.discard();
      expect(existsSync(pre.layout.workDir)).toBe(false);
    });
  });
}
