// Hostile handlers that attack with processes and memory, under the default sandbox (namespace,
// isolated network, cgroups): each one fails in Lambda's words, and a normal invoke after it succeeds.
import { randomUUID } from 'node:crypto';
import { DeleteFunctionCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import type { Lambkin } from '../helpers/server.js';
import { processesMentioning } from '../helpers/functions.js';
import { call, deploy, maxMemoryUsed, stillServes, waitFor, withBystanderServer } from './hostile.js';

let lk: Lambkin;

withBystanderServer((server) => (lk = server));

describe('hostile handlers: processes and memory', () => {
  it('process.exit(1) is a Runtime.ExitError with its status; the next invoke gets a fresh environment', async () => {
    await deploy(lk.lambda, 'exits-node', 'exports.lambda_handler = async (e) => { if (e.exit) process.exit(1); return { ok: true }; };');
    const r = await call(lk.lambda, 'exits-node', { exit: true });
    expect(r.functionError).toBe('Unhandled');
    expect(r.body.errorType).toBe('Runtime.ExitError');
    expect(r.body.errorMessage).toMatch(/Runtime exited with error: exit status 1$/);
    expect((await call(lk.lambda, 'exits-node', {})).body).toEqual({ ok: true });
    await stillServes(lk.lambda);
  });

  it('sys.exit(1) in Python likewise', async () => {
    await deploy(lk.lambda, 'exits-python', 'import sys\ndef lambda_handler(e, c):\n    if e.get("exit"):\n        sys.exit(1)\n    return {"ok": True}\n', { runtime: 'python3.11' });
    const r = await call(lk.lambda, 'exits-python', { exit: true });
    expect(r.functionError).toBe('Unhandled');
    expect(r.body.errorType).toBe('Runtime.ExitError');
    expect(r.body.errorMessage).toMatch(/exit status 1$/);
    expect((await call(lk.lambda, 'exits-python', {})).body).toEqual({ ok: true });
  });

  it('while(true){} times out (Sandbox.Timedout) and the environment is replaced', async () => {
    await deploy(lk.lambda, 'spins', 'exports.lambda_handler = async (e) => { if (e.spin) for (;;) {} return { ok: true }; };', { timeout: 2 });
    const r = await call(lk.lambda, 'spins', { spin: true });
    expect(r.body.errorType).toBe('Sandbox.Timedout');
    expect(r.body.errorMessage).toMatch(/Task timed out after 2\.00 seconds$/);
    expect((await call(lk.lambda, 'spins', {})).body).toEqual({ ok: true });
  });

  for (const [runtime, code] of [
    ['nodejs20.x', 'exports.lambda_handler = async (e) => { const keep = []; if (e.hog) for (;;) keep.push(Buffer.alloc(16 << 20, 1)); return { ok: true }; };'],
    ['python3.11', 'def lambda_handler(e, c):\n    keep = []\n    while e.get("hog"):\n        keep.append(bytearray(16 << 20))\n    return {"ok": True}\n'],
  ] as const) {
    it(`allocating past MemorySize (${runtime}) is Runtime.OutOfMemory, signal: killed, Max Memory Used at the limit`, async () => {
      const name = `hog-${runtime.replace(/\W/g, '')}`;
      await deploy(lk.lambda, name, code, { runtime, memory: 128, timeout: 30 });
      const r = await call(lk.lambda, name, { hog: true });
      expect(r.functionError).toBe('Unhandled');
      expect(r.body.errorType).toBe('Runtime.OutOfMemory');
      expect(r.body.errorMessage).toMatch(/Runtime exited with error: signal: killed$/);
      expect(maxMemoryUsed(r.log)).toBeGreaterThanOrEqual(122);
      expect(maxMemoryUsed(r.log)).toBeLessThanOrEqual(128);
      expect((await call(lk.lambda, name, {})).body).toEqual({ ok: true });
    });
  }

  it('SIGSEGV ends the invocation as "signal: segmentation fault"', async () => {
    await deploy(lk.lambda, 'segv', "exports.lambda_handler = async (e) => { if (e.crash) process.kill(process.pid, 'SIGSEGV'); await new Promise((r) => setTimeout(r, 100)); return { ok: true }; };");
    const r = await call(lk.lambda, 'segv', { crash: true });
    expect(r.body.errorType).toBe('Runtime.ExitError');
    expect(r.body.errorMessage).toMatch(/signal: segmentation fault$/);
    expect((await call(lk.lambda, 'segv', {})).body).toEqual({ ok: true });
    await deploy(lk.lambda, 'segv-python', 'import os, signal\ndef lambda_handler(e, c):\n    os.kill(os.getpid(), signal.SIGSEGV)\n', { runtime: 'python3.11' });
    expect((await call(lk.lambda, 'segv-python')).body.errorMessage).toMatch(/signal: segmentation fault$/);
  });

  it('a fork bomb stays inside its environment (pids.max), which dies whole', async () => {
    const id = randomUUID();
    // The marker is in the bomb's own command line, so every shell it forks carries it.
    await deploy(lk.lambda, 'fork-bomb', `
      const { spawn } = require('node:child_process');
      exports.lambda_handler = async () => {
        spawn('/bin/sh', ['-c', 'b() { b | b & }; : ${id}; b'], { stdio: 'ignore', detached: true }).unref();
        await new Promise((r) => setTimeout(r, 1500));
        return { bombed: true };
      };`, { timeout: 5 });
    const r = await call(lk.lambda, 'fork-bomb');
    // Depending on the race it returned, timed out, or took its runtime down with it (threads count
    // against pids.max; the shells against the memory limit): the platform answers either way.
    const outcomes = ['Sandbox.Timedout', 'Runtime.ExitError', 'Runtime.OutOfMemory'];
    expect(r.body.bombed === true || outcomes.includes(r.body.errorType), r.text).toBe(true);
    await stillServes(lk.lambda);
    // Contained: never more than pids.max (1024) processes of it at once.
    expect(processesMentioning(id).length).toBeLessThanOrEqual(1024);
    await lk.lambda.send(new DeleteFunctionCommand({ FunctionName: 'fork-bomb' }));
    await waitFor('the fork bomb to be gone', () => processesMentioning(id).length === 0, 30_000);
    await stillServes(lk.lambda);
  });

  it('a detached child outliving its invocation dies with its environment', async () => {
    const id = randomUUID();
    await deploy(lk.lambda, 'leaves-child', `
      const { spawn } = require('node:child_process');
      exports.lambda_handler = async () => {
        spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'orphan-' + '${id}'], { detached: true, stdio: 'ignore' }).unref();
        return { spawned: true };
      };`);
    expect((await call(lk.lambda, 'leaves-child')).body).toEqual({ spawned: true });
    // Alive while its environment is (Lambda freezes it there; here it just runs).
    await waitFor('the orphan to run', () => processesMentioning(`orphan-${id}`).length === 1);
    await lk.lambda.send(new DeleteFunctionCommand({ FunctionName: 'leaves-child' }));
    await waitFor('the orphan to die with its environment', () => processesMentioning(`orphan-${id}`).length === 0, 20_000);
    await stillServes(lk.lambda);
  });
});
