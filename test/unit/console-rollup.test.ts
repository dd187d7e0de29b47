// The console's rollup: windows sum whole buckets, percentiles are exact while every duration is
// kept and within half a percent once buckets only keep a sample.
import { afterEach, describe, expect, it } from 'vitest';
import { Rollup } from '../../src/api/console-api/rollup.js';
import type { RollupRecord } from '../../src/api/console-api/bucket.js';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 30);
let rollup: Rollup;
afterEach(() => rollup.close());

function record(over: Partial<RollupRecord>): RollupRecord {
  return {
    functionName: 'f', startedAt: NOW - 1000, cold: false, initMs: undefined, durationMs: 10, memoryMb: 128,
    maxMemoryUsedMb: 40, outcome: 'success', envId: 'e1', errorType: undefined, errorMessage: undefined, ...over,
  };
}

describe('console rollup', () => {
  it('counts invocations, errors, throttles and cold starts in the window, and not older ones', () => {
    rollup = new Rollup(() => NOW);
    rollup.add(record({ cold: true, initMs: 200 }));
    rollup.add(record({ outcome: 'error', errorType: 'Error', errorMessage: 'Order 12 not found' }));
    rollup.add(record({ outcome: 'timeout', errorType: 'Sandbox.Timedout' }));
    rollup.add(record({ outcome: 'throttled', errorType: 'TooManyRequestsException' }));
    rollup.add(record({ startedAt: NOW - 2 * 3600_000 })); // outside 1h, inside 24h
    const hour = rollup.window('f', '1h');
    expect(hour).toMatchObject({ invocations: 3, errors: 2, throttles: 1, coldStarts: 1, initMsAvg: 200, maxMemoryUsedMb: 40, memoryMb: 128 });
    expect(rollup.window('f', '24h').invocations).toBe(4);
    const trends = rollup.errorTrends('1h');
    expect([...trends.groups.keys()].map((k) => k.split('\0').slice(1).join(' | ')).sort())
      .toEqual(['Error | Order <n> not found', 'Sandbox.Timedout | ', 'TooManyRequestsException | ']);
  });

  it('counts at most 100 error groups apart per bucket, however many distinct errors a function has', () => {
    rollup = new Rollup(() => NOW);
    // Messages that normalising does not fold together: each would be a group of its own.
    const word = (i: number) => [...i.toString(26)].map((c) => String.fromCharCode(97 + parseInt(c, 26))).join('');
    for (let i = 0; i < 5000; i++) rollup.add(record({ outcome: 'error', errorType: 'E', errorMessage: `bad ${word(i)}` }));
    const trends = rollup.errorTrends('15m');
    expect(trends.groups.size).toBeLessThanOrEqual(101);
    const total = [...trends.groups.values()].reduce((n, g) => n + g.counts.reduce((a, b) => a + b, 0), 0);
    expect(total).toBe(5000);
    expect([...trends.groups.keys()].some((k) => k.includes('(other)'))).toBe(true);
  });

  it('gives exact nearest-rank percentiles while all durations are kept', () => {
    rollup = new Rollup(() => NOW);
    for (let i = 1; i <= 100; i++) rollup.add(record({ durationMs: i })); // 1-min buckets keep 256 each
    expect(rollup.window('f', '1h').durationMs).toEqual({ p50: 50, p95: 95, p99: 99 });
  });

  it('estimates percentiles from samples once a bucket holds more than it keeps', () => {
    rollup = new Rollup(() => NOW);
    for (let i = 1; i <= 20_000; i++) rollup.add(record({ durationMs: i / 100, startedAt: NOW - (i % 3000) * 1000 }));
    const p = rollup.window('f', '1h').durationMs!;
    // Sampling error dominates: a few percent at most for these sample sizes.
    expect(Math.abs(p.p50 - 100) / 100).toBeLessThan(0.05);
    expect(Math.abs(p.p99 - 198) / 198).toBeLessThan(0.05);
    const series = rollup.series('f', '1h');
    expect(series.points).toHaveLength(60);
    expect(series.points.reduce((n, pt) => n + pt.invocations, 0)).toBe(20_000);
  });
});
