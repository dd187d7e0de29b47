// The pre-started pool's bookkeeping, with a fake backend: which functions it serves, that it keeps
// one sandbox per shape and refills after a take (as many as the largest recent burst of cold
// starts, within its depth and the memory budget's room), that a deploy readies one, that a shape whose runtime keeps dying stops
// being refilled, and that close() removes what waits. That a pre-started runtime behaves like a
// normal one is test/e2e/prestart.test.ts.
import { PassThrough } from 'node:stream';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PrestartPool } from '../../src/sandbox/prestart/pool.js';
import { findRuntime } from '../../src/runtimes/catalogue.js';
import type { ExitInfo, LaunchSpec, SandboxBackend, SandboxLayout, SandboxProcess } from '../../src/sandbox/types.js';

const NODE = findRuntime('nodejs20.x')!;
const PYTHON = findRuntime('python3.11')!;
const JAVA = findRuntime('java17')!;
/** A runtime with no pre-start mode. */
const PLAIN = { ...NODE, family: 'plain', prestart: undefined };
const LIMITS = { memoryMb: 256, tmpMb: 512, pids: 1024 };

class FakeBackend implements SandboxBackend {
  readonly name = 'fake';
  readonly enforcesMemory = true;
  started: { spec: LaunchSpec; exit: (e: ExitInfo) => void; killed: boolean }[] = [];
  cleaned = 0;
  /** Runtimes die as soon as they start. */
  dying = false;
  /** start() throws (as when the server is out of file descriptors). */
  failing = false;

  async prepare(envId: string): Promise<SandboxLayout> {
    return {
      workDir: `/fake/${envId}`, taskRoot: '/var/task', hostTaskRoot: `/fake/${envId}/task`, runtimeDir: '/var/runtime',
      tmpDir: '/tmp', listen: { port: 0 }, runtimeApiAddress: () => '127.0.0.1:9001',
    };
  }

  start(_layout: SandboxLayout, spec: LaunchSpec): SandboxProcess {
    if (this.failing) throw new Error('the sandbox (sh) could not be started: the server has no file descriptors left');
    let exit!: (e: ExitInfo) => void;
    const exited = new Promise<ExitInfo>((r) => (exit = r));
    const record = { spec, exit, killed: false };
    this.started.push(record);
    if (this.dying) setImmediate(() => exit({ code: 1, signal: null, oomKilled: false }));
    return {
      pid: 1, stdout: new PassThrough(), stderr: new PassThrough(), telemetry: new PassThrough(), stdin: new PassThrough(), exited,
      kill: () => {
        record.killed = true;
        exit({ code: null, signal: 'SIGKILL', oomKilled: false });
      },
      memory: () => undefined, resetPeak: () => undefined,
    };
  }

  async cleanup(): Promise<void> {
    this.cleaned++;
  }

  async fillCode(): Promise<void> {}

  filledOpt: (readonly string[])[] = [];
  async fillOpt(_layout: SandboxLayout, layerDirs: readonly string[]): Promise<void> {
    this.filledOpt.push(layerDirs);
  }
}

const pools: PrestartPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function pool(backend: SandboxBackend, retryAfterMs = 60_000): PrestartPool {
  const p = new PrestartPool(backend, { refillDelayMs: 1, retryAfterMs });
  pools.push(p);
  return p;
}

const ready = (p: PrestartPool) => p.stats().shapes.reduce((n, s) => n + s.ready, 0);

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('pre-started pool', () => {
  it('serves a function with layers (filled into its /opt at claim), unless a layer has lib/', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambkin-prestart-layers-'));
    try {
      mkdirSync(join(dir, 'plain/nodejs'), { recursive: true });
      mkdirSync(join(dir, 'native/lib'), { recursive: true });
      const backend = new FakeBackend();
      const p = pool(backend);
      p.take({ runtime: NODE, limits: LIMITS, functionEnv: {} });
      await until(() => backend.started.length === 1);
      // One is ready: the function with lib/ in a layer does not take it, the other one does.
      expect(p.take({ runtime: NODE, limits: LIMITS, functionEnv: {}, layerDirs: [join(dir, 'native')] })).toBeUndefined();
      const taken = p.take({ runtime: NODE, limits: LIMITS, functionEnv: {}, layerDirs: [join(dir, 'plain')] });
      expect(taken).toBeDefined();
      expect(await taken!.claim('/code', LIMITS, [join(dir, 'plain')])).toBe(true);
      expect(backend.filledOpt).toEqual([[join(dir, 'plain')]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts one sandbox per shape after the first ask, hands it out once, then refills', async () => {
    const backend = new FakeBackend();
    const p = pool(backend);
    expect(p.take({ runtime: NODE, limits: LIMITS, functionEnv: {} })).toBeUndefined(); // nothing yet: learns the shape
    await until(() => backend.started.length === 1);
    expect(backend.started[0]!.spec.env._LAMBKIN_PRESTART).toBe('1');
    expect(backend.started[0]!.spec.stdinPipe).toBe(true);
    const pre = p.take({ runtime: NODE, limits: LIMITS, functionEnv: { A: '1' } });
    expect(pre).toBeDefined();
    expect(await pre!.claim('/code', { ...LIMITS, memoryMb: 128 })).toBe(true);
    await until(() => backend.started.length >= 2); // the replacement (two, the takes came within a second)
    // Another shape (a different /tmp size) is kept apart.
    expect(p.take({ runtime: NODE, limits: { ...LIMITS, tmpMb: 1024 }, functionEnv: {} })).toBeUndefined();
  });

  it('keeps as many ready as the largest recent burst of cold starts (single-use functions, 8 at once), within its depth', async () => {
    const backend = new FakeBackend();
    const p = pool(backend);
    const ask = () => p.take({ runtime: NODE, limits: LIMITS, functionEnv: {} });
    ask(); // learns the shape
    await until(() => backend.started.length === 1);
    expect(ask()).toBeDefined();
    expect(ask()).toBeUndefined(); // three cold starts within a second: three kept ready from now on
    await until(() => ready(p) === 3);
    expect([ask(), ask(), ask()].every(Boolean)).toBe(true);
    // A burst past the depth keeps the depth (8), no more.
    for (let i = 0; i < 12; i++) ask();
    await until(() => ready(p) === 8);
    await new Promise((r) => setTimeout(r, 30));
    expect(ready(p)).toBe(8);
    expect(p.stats().hits).toBeGreaterThan(0);
    expect(p.stats().misses).toBeGreaterThan(0);
  });

  it('starts replacements once cold starts pause (refillDelayMs), or 1 s after they were due while they keep coming', async () => {
    const backend = new FakeBackend();
    const startedAt: number[] = [];
    const start = backend.start.bind(backend);
    backend.start = (layout, spec) => {
      startedAt.push(Date.now());
      return start(layout, spec);
    };
    const delay = 100;
    const p = new PrestartPool(backend, { refillDelayMs: delay });
    pools.push(p);
    const req = { runtime: NODE, limits: LIMITS, functionEnv: {} };
    p.prepare(req);
    await until(() => backend.started.length === 1);
    // A stream of cold starts 10 ms apart for 1.5 s (a burst, then a single-use function's steady flow).
    const takes: number[] = [];
    const streamEnd = Date.now() + 1_500;
    while (Date.now() < streamEnd) {
      takes.push(Date.now());
      p.take(req);
      await new Promise((r) => setTimeout(r, 10));
    }
    const duringStream = startedAt.length - 1;
    await until(() => ready(p) >= 1); // once the stream stops, spares are back
    // Every replacement started after a pause of `delay` in the takes, or ≥ 1 s after it was first due.
    for (const t of startedAt.slice(1)) {
      const before = takes.filter((x) => x <= t);
      const last = before[before.length - 1]!;
      const pausedEnough = t - last >= delay - 2;
      const waitedLong = t - before[0]! >= 1_000 - 2;
      expect(pausedEnough || waitedLong, `a spare started ${t - last} ms after a cold start`).toBe(true);
    }
    // …and a steady stream did not starve the shape.
    expect(duringStream).toBeGreaterThan(0);
  });

  it('a deploy readies a spare of its shape before any cold start; the demand window gives spares back', async () => {
    const backend = new FakeBackend();
    const p = pool(backend);
    p.configure({ demandWindowMs: 400 });
    p.prepare({ runtime: PYTHON, limits: LIMITS, functionEnv: {} });
    await until(() => ready(p) === 1);
    expect(p.take({ runtime: PYTHON, limits: LIMITS, functionEnv: {} })).toBeDefined();
    for (let i = 0; i < 4; i++) p.take({ runtime: PYTHON, limits: LIMITS, functionEnv: {} });
    await until(() => ready(p) === 5);
    // No burst for the window: back to one.
    for (let i = 0; i < 300 && ready(p) > 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(ready(p)).toBe(1);
    // Nor for functions it would not serve.
    p.prepare({ runtime: PLAIN, limits: LIMITS, functionEnv: {} });
    expect(p.stats().shapes).toHaveLength(1);
  });

  it('spares beyond one per shape fit in the room the memory budget leaves', async () => {
    const backend = new FakeBackend();
    const p = pool(backend);
    p.configure({ roomMb: () => 3 * LIMITS.memoryMb });
    for (let i = 0; i < 8; i++) p.take({ runtime: NODE, limits: LIMITS, functionEnv: {} });
    await until(() => ready(p) === 3);
    await new Promise((r) => setTimeout(r, 30));
    expect(ready(p)).toBe(3);
    // The first of another shape is kept whatever the room.
    p.prepare({ runtime: PYTHON, limits: LIMITS, functionEnv: {} });
    await until(() => ready(p) === 4);
  });

  it('serves neither runtimes without a pre-start mode nor functions setting start-up variables', async () => {
    const backend = new FakeBackend();
    const p = pool(backend);
    for (const [runtime, env] of [
      [PLAIN, {}], [JAVA, { JAVA_TOOL_OPTIONS: '-Dx=y' }], [NODE, { NODE_OPTIONS: '--x' }], [PYTHON, { PYTHONPATH: '/x' }], [NODE, { LD_PRELOAD: '/x.so' }], [PYTHON, { LC_ALL: 'C' }],
    ] as const) {
      p.take({ runtime, limits: LIMITS, functionEnv: env });
    }
    await new Promise((r) => setTimeout(r, 30));
    expect(backend.started).toEqual([]);
  });

  it('keeps one Java shape per MemorySize (the JVM sizes its heap as it starts), one Node.js shape for all', async () => {
    const backend = new FakeBackend();
    const p = pool(backend);
    for (const memoryMb of [128, 1024]) {
      p.prepare({ runtime: JAVA, limits: { ...LIMITS, memoryMb }, functionEnv: {} });
      p.prepare({ runtime: NODE, limits: { ...LIMITS, memoryMb }, functionEnv: {} });
    }
    await until(() => ready(p) === 3);
    expect(p.stats().shapes.map((s) => s.shape).sort()).toEqual(['java|tmp 512|heap -|mem 1024', 'java|tmp 512|heap -|mem 128', 'nodejs|tmp 512|heap -']);
    const heaps = backend.started.filter((s) => s.spec.args.includes('lambkin.runtime.Bootstrap')).map((s) => s.spec.args.find((a) => a.startsWith('-Xmx')));
    expect(heaps.sort()).toEqual(['-Xmx768m', '-Xmx96m']);
  });

  it('stops refilling a shape whose runtime keeps dying before it is asked for', async () => {
    const backend = new FakeBackend();
    backend.dying = true;
    const p = pool(backend);
    p.take({ runtime: PYTHON, limits: LIMITS, functionEnv: {} });
    await until(() => backend.started.length === 3 && backend.cleaned === 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(backend.started.length).toBe(3);
  });

  it('tries a shape that kept failing to start again after a while, and serves it once starts work again', async () => {
    const backend = new FakeBackend();
    backend.failing = true;
    const p = pool(backend, 100);
    // Asks (and the refill after a failed attempt) start attempts until three have failed.
    for (let i = 1; i <= 3 && backend.cleaned < 3; i++) {
      p.take({ runtime: PYTHON, limits: LIMITS, functionEnv: {} });
      await until(() => backend.cleaned >= i);
      await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => backend.cleaned === 3);
    expect(p.take({ runtime: PYTHON, limits: LIMITS, functionEnv: {} })).toBeUndefined();
    expect(backend.cleaned).toBe(3); // within the back-off: not tried
    backend.failing = false;
    await new Promise((r) => setTimeout(r, 120));
    expect(p.take({ runtime: PYTHON, limits: LIMITS, functionEnv: {} })).toBeUndefined(); // starts the retry
    // The asks came back to back, so the shape may keep more than one ready by now.
    await until(() => backend.started.length >= 1);
    expect(p.take({ runtime: PYTHON, limits: LIMITS, functionEnv: {} })).toBeDefined();
  });

  it('close() kills and removes what waits', async () => {
    const backend = new FakeBackend();
    const p = pool(backend);
    p.take({ runtime: PYTHON, limits: LIMITS, functionEnv: {} });
    await until(() => backend.started.length === 1);
    await p.close();
    expect(backend.started[0]!.killed).toBe(true);
    expect(backend.cleaned).toBe(1);
    expect(p.take({ runtime: PYTHON, limits: LIMITS, functionEnv: {} })).toBeUndefined();
  });
});
