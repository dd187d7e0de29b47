// A custom runtime's pre-started launcher (src/runtimes/custom.ts) and the pool's `shell` hand-over
// (src/sandbox/prestart/handover.ts), run for real outside any sandbox: the launcher execs the
// bootstrap with exactly the variables handed over, whatever their values hold, and nothing of its
// own start-up environment; the pool serves custom runtimes whatever start-up variables or lib/
// layers the function has (the bootstrap starts after the hand-over), but not a name a shell cannot
// export. That a pooled bootstrap sees what a plain one does is test/e2e/prestart-provided.test.ts.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { findRuntime } from '../../src/runtimes/catalogue.js';
import { handoverText } from '../../src/sandbox/prestart/handover.js';
import { PrestartPool } from '../../src/sandbox/prestart/pool.js';
import type { ExitInfo, LaunchSpec, SandboxBackend, SandboxLayout, SandboxProcess } from '../../src/sandbox/types.js';

const PROVIDED = findRuntime('provided.al2023')!;
const NODE = findRuntime('nodejs20.x')!;
const LIMITS = { memoryMb: 256, tmpMb: 512, pids: 1024 };
const dir = mkdtempSync(join(tmpdir(), 'lambkin-handover-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Start the launcher as the pool would, hand it `env`, and read what its bootstrap saw. */
function launch(env: Record<string, string> | undefined): Promise<{ environ: string[]; argv: string; stdin: string; code: number | null }> {
  const task = mkdtempSync(join(dir, 'task-'));
  writeFileSync(join(task, 'bootstrap'), '#!/bin/sh\ncat /proc/$$/environ; printf "\\0--\\0%s\\0%s" "$0" "$(readlink /proc/$$/fd/0)"\n');
  chmodSync(join(task, 'bootstrap'), 0o755);
  const l = PROVIDED.prestart!.launch!({ taskRoot: task, runtimeDir: '/var/runtime' });
  const child = spawn(l.command, l.args, { env: { FROM_START_UP: 'x', _LAMBKIN_PRESTART: '1' }, stdio: ['pipe', 'pipe', 'inherit'], cwd: task });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('latin1')));
  if (env) child.stdin.end(handoverText(PROVIDED.prestart, env));
  else child.stdin.end();
  return new Promise((resolve) => child.on('close', (code) => {
    const [environ, rest] = out.split('\0--\0');
    const [argv, stdin] = (rest ?? '').split('\0');
    resolve({ environ: (environ ?? '').split('\0').filter(Boolean), argv: argv ?? '', stdin: stdin ?? '', code });
  }));
}

describe('custom runtime launcher', () => {
  it('execs the bootstrap with exactly the variables handed over, any value, stdin /dev/null', async () => {
    const env = { A: "it's", B: 'two\nlines', C: '$HOME `id` \\ "q"', D: '', PWD: '/elsewhere' };
    const seen = await launch(env);
    expect(seen.code).toBe(0);
    expect(seen.environ.sort()).toEqual(Object.entries(env).map(([k, v]) => `${k}=${v}`).sort());
    expect(seen.argv).toMatch(/\/bootstrap$/);
    expect(seen.stdin).toBe('/dev/null');
  });

  it('exits without starting the bootstrap when the pool closes its stdin without a word', async () => {
    const seen = await launch(undefined);
    expect(seen).toMatchObject({ code: 0, environ: [] });
  });
});

class FakeBackend implements SandboxBackend {
  readonly name = 'fake';
  readonly enforcesMemory = true;
  readonly started: LaunchSpec[] = [];
  readonly written: string[] = [];
  async prepare(envId: string): Promise<SandboxLayout> {
    return {
      workDir: `/fake/${envId}`, taskRoot: '/var/task', hostTaskRoot: `/fake/${envId}/task`, runtimeDir: '/var/runtime',
      tmpDir: '/tmp', listen: { port: 0 }, runtimeApiAddress: () => '127.0.0.1:9001',
    };
  }
  start(_layout: SandboxLayout, spec: LaunchSpec): SandboxProcess {
    this.started.push(spec);
    const stdin = new PassThrough();
    stdin.on('data', (c: Buffer) => this.written.push(c.toString()));
    let exit!: (e: ExitInfo) => void;
    const exited = new Promise<ExitInfo>((r) => (exit = r));
    return {
      pid: 1, stdout: new PassThrough(), stderr: new PassThrough(), telemetry: new PassThrough(), stdin, exited,
      kill: () => exit({ code: null, signal: 'SIGKILL', oomKilled: false }), memory: () => undefined, resetPeak: () => undefined,
    };
  }
  async cleanup(): Promise<void> {}
  async fillCode(): Promise<void> {}
  async fillOpt(): Promise<void> {}
}

describe('the pool and custom runtimes', () => {
  it('serves a function with start-up variables and a lib/ layer, hands its environment over as shell lines, but not an unexportable name', async () => {
    const layer = join(dir, 'layer');
    mkdirSync(join(layer, 'lib'), { recursive: true });
    const backend = new FakeBackend();
    const pool = new PrestartPool(backend, { refillDelayMs: 1 });
    try {
      pool.prepare({ runtime: PROVIDED, limits: LIMITS, functionEnv: {} });
      for (let i = 0; i < 200 && pool.stats().shapes[0]?.ready !== 1; i++) await new Promise((r) => setTimeout(r, 5));
      expect(backend.started[0]!.command).toBe('/usr/bin/env');
      expect(backend.started[0]!.args).toContain('/var/task/bootstrap');
      // Node.js would miss these (read as node starts): it starts on its own; the custom runtime does not.
      const env = { LD_LIBRARY_PATH: '/opt/lib', TZ: 'UTC' };
      expect(pool.take({ runtime: NODE, limits: LIMITS, functionEnv: env, layerDirs: [layer] })).toBeUndefined();
      expect(pool.take({ runtime: PROVIDED, limits: LIMITS, functionEnv: { 'not-a-name': '1' } })).toBeUndefined();
      const taken = pool.take({ runtime: PROVIDED, limits: LIMITS, functionEnv: env, layerDirs: [layer] });
      expect(taken).toBeDefined();
      expect(await taken!.claim('/code', LIMITS, [layer])).toBe(true);
      taken!.assign({ ...env, Q: "a'b" });
      expect(backend.written.join('')).toBe("unset PWD\nexport LD_LIBRARY_PATH='/opt/lib'\nexport TZ='UTC'\nexport Q='a'\\''b'\n");
    } finally {
      await pool.close();
    }
  });
});
