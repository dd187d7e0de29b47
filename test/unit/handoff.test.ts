// The scheduler's hand-off estimate (src/scheduler/handoff.ts): a pause of the server that
// stretches the few invocations in flight must not make a fast function scale out, and a
// function that really got slower must.
import { afterEach, describe, expect, it } from 'vitest';
import { Handoff } from '../../src/scheduler/handoff.js';

let h: Handoff;
afterEach(() => h.flush());

/** A version that ran warm in 1 ms for a while, with cold starts of 160 ms, and 28 invokes waiting on 4 busy environments. */
function steady(): Handoff {
  h = new Handoff();
  h.note(160, true);
  for (let i = 0; i < 50; i++) h.note(1, false);
  for (let i = 0; i < 28; i++) void h.wait('rev');
  return h;
}

describe('hand-off estimate', () => {
  it('keeps waiting through a pause that stretched the invocations in flight', () => {
    const h = steady();
    expect(h.worthWaiting(4)).toBe(true);
    for (let i = 0; i < 4; i++) h.note(30, false); // one 30 ms pause, four invocations running
    expect(h.worthWaiting(4)).toBe(true);
  });

  it('scales out once invocations really take longer', () => {
    const h = steady();
    for (let i = 0; i < 100; i++) h.note(30, false);
    expect(h.worthWaiting(4)).toBe(false);
  });
});

describe('hand-off before any cold start was measured', () => {
  it('waits for a fast version whose cold starts all came from the pre-started pool, as for an unmeasured one of 100 ms', () => {
    h = new Handoff();
    for (let i = 0; i < 50; i++) h.note(1, false); // warm in 1 ms; no cold sample (a pool hit teaches none)
    expect(h.worthWaiting(1)).toBe(true);
    for (let i = 0; i < 100; i++) h.note(80, false); // 80 ms warm: a new environment is sooner
    expect(h.worthWaiting(1)).toBe(false);
  });
});

describe('hand-off to an environment whose extensions are finishing', () => {
  it('waits for it even before any warm estimate, one waiter per such environment', () => {
    h = new Handoff();
    h.note(160, true);
    expect(h.worthWaiting(0)).toBe(false);
    expect(h.worthWaiting(0, 1)).toBe(true);
    void h.wait('rev');
    expect(h.worthWaiting(0, 1)).toBe(false);
    expect(h.worthWaiting(0, 2)).toBe(true);
  });
});
