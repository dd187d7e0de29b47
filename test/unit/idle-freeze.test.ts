// When an environment is frozen and thawed (environment/idle-freeze.ts), against a stand-in for
// its sandbox that records the calls. That freezing really stops a process is
// test/security/hostile-idle.test.ts.
import { describe, expect, it } from 'vitest';
import { IdleFreezer, type FreezeTarget } from '../../src/environment/idle-freeze.js';
import type { SandboxProcess } from '../../src/sandbox/types.js';

function target(over: Partial<{ idle: boolean; polling: boolean; canFreeze: boolean }> = {}) {
  const state = { idle: true, polling: true, canFreeze: true, ...over, calls: [] as boolean[] };
  const proc = { freeze: (frozen: boolean) => { state.calls.push(frozen); return state.canFreeze; } } as unknown as SandboxProcess;
  const t: FreezeTarget = { process: () => proc, idle: () => state.idle, polling: () => state.polling };
  return { state, t };
}

const until = async (cond: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('IdleFreezer', () => {
  it('freezes an environment idle for the grace period whose runtime polls, and thaws it on wake', async () => {
    const { state, t } = target();
    const f = new IdleFreezer(t, 20);
    f.idle();
    expect(state.calls).toEqual([]); // not at once: steady traffic never pays for freezing
    await until(() => f.isFrozen);
    expect(state.calls).toEqual([true]);
    f.wake();
    expect(f.isFrozen).toBe(false);
    expect(state.calls).toEqual([true, false]);
  });

  it('does not freeze an environment that got work in the meantime', async () => {
    const { state, t } = target();
    const f = new IdleFreezer(t, 20);
    f.idle();
    f.wake();
    state.idle = false;
    await new Promise((r) => setTimeout(r, 60)); // past the grace period: nothing may happen
    expect(state.calls).toEqual([]);
  });

  it('freezes a runtime that does not poll again only after a longer while', async () => {
    const { state, t } = target({ polling: false });
    const f = new IdleFreezer(t, 10);
    const since = Date.now();
    f.idle();
    await until(() => f.isFrozen);
    expect(Date.now() - since).toBeGreaterThanOrEqual(1_000);
    expect(state.calls).toEqual([true]);
  });

  it('0: frozen as soon as the runtime polls again; off: never; stopped: never again', async () => {
    const now = target();
    const at0 = new IdleFreezer(now.t, 0);
    at0.idle();
    expect(at0.isFrozen).toBe(true);
    const off = target();
    new IdleFreezer(off.t, 'off').idle();
    const stopped = target();
    const s = new IdleFreezer(stopped.t, 10);
    s.idle();
    s.stop();
    await new Promise((r) => setTimeout(r, 40));
    expect(off.state.calls).toEqual([]);
    expect(stopped.state.calls).toEqual([]);
  });

  it('a sandbox that cannot be frozen is not reported frozen', async () => {
    const { state, t } = target({ canFreeze: false });
    const f = new IdleFreezer(t, 5);
    f.idle();
    await until(() => state.calls.length === 1);
    expect(f.isFrozen).toBe(false);
  });
});
