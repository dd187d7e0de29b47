// One time bucket of one function's invocation records, as the console's charts and tables need
// them: counters, and a bounded sample of durations (reservoir sampling) from which percentiles
// are computed — exactly while every duration of the buckets asked about is kept (up to 20,000 of
// them), else from a weighted histogram of the samples with 0.5 % wide bins.
import type { InvocationRecord } from '../../logs/index.js';
import { errorKey } from '../../logs/normalise.js';

export type RollupRecord = Pick<InvocationRecord,
  'functionName' | 'startedAt' | 'cold' | 'initMs' | 'durationMs' | 'memoryMb' | 'maxMemoryUsedMb' | 'outcome' | 'envId' | 'errorType' | 'errorMessage'>;

/** Distinct error groups one bucket counts apart (the rest: OTHER_ERRORS). */
export const MAX_ERROR_GROUPS = 100;
export const OTHER_ERRORS = '(other)\0(more distinct errors than the console counts apart)';

export class Bucket {
  /** Invocations that ran (throttles are counted apart, as Lambda's metrics do). */
  n = 0;
  errors = 0;
  throttles = 0;
  cold = 0;
  initSum = 0;
  initMax = 0;
  maxMemoryMb = 0;
  memoryLimitMb = 0;
  readonly envs = new Set<string>();
  /** Error group (errorType \0 normalised message) → count, for the Errors page's trend lines. */
  errorGroups: Map<string, number> | undefined;
  samples: Float64Array;
  kept = 0;

  constructor(private readonly capacity: number) {
    this.samples = new Float64Array(Math.min(8, capacity));
  }

  add(r: RollupRecord): void {
    if (r.outcome !== 'success') {
      const groups = (this.errorGroups ??= new Map());
      let key = `${r.errorType ?? ''}\0${errorKey(r.errorMessage) ?? ''}`;
      // A function can fail with a new message every time (one that normalising does not fold):
      // past the cap, its further groups in this bucket count together.
      if (!groups.has(key) && groups.size >= MAX_ERROR_GROUPS) key = OTHER_ERRORS;
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    if (r.outcome === 'throttled') {
      this.throttles++;
      return;
    }
    this.n++;
    if (r.outcome !== 'success') this.errors++;
    if (r.cold) {
      this.cold++;
      if (r.initMs !== undefined) {
        this.initSum += r.initMs;
        if (r.initMs > this.initMax) this.initMax = r.initMs;
      }
    }
    if (r.maxMemoryUsedMb !== undefined && r.maxMemoryUsedMb > this.maxMemoryMb) this.maxMemoryMb = r.maxMemoryUsedMb;
    if (r.memoryMb > this.memoryLimitMb) this.memoryLimitMb = r.memoryMb;
    if (r.envId !== undefined) this.envs.add(r.envId);
    this.sample(r.durationMs);
  }

  /** Algorithm R: every duration seen has the same chance to be among the kept ones. */
  private sample(ms: number): void {
    if (this.kept < this.capacity) {
      if (this.kept === this.samples.length) {
        const grown = new Float64Array(Math.min(this.capacity, this.samples.length * 2));
        grown.set(this.samples);
        this.samples = grown;
      }
      this.samples[this.kept++] = ms;
      return;
    }
    const j = Math.floor(Math.random() * this.n);
    if (j < this.capacity) this.samples[j] = ms;
  }
}

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** Sums of several buckets (a table's window, or one point of a chart). */
export interface Totals {
  invocations: number;
  errors: number;
  throttles: number;
  coldStarts: number;
  initMsAvg: number | undefined;
  initMsMax: number | undefined;
  maxMemoryUsedMb: number | undefined;
  memoryMb: number | undefined;
  environments: number;
  durationMs: Percentiles | undefined;
}

/** Sums of `buckets`; percentiles only when asked (a sparkline needs counts only). */
export function totals(buckets: readonly Bucket[], withPercentiles = true): Totals {
  let invocations = 0, errors = 0, throttles = 0, cold = 0, initSum = 0, initMax = 0, mem = 0, limit = 0;
  const envs = new Set<string>();
  for (const b of buckets) {
    invocations += b.n;
    errors += b.errors;
    throttles += b.throttles;
    cold += b.cold;
    initSum += b.initSum;
    initMax = Math.max(initMax, b.initMax);
    mem = Math.max(mem, b.maxMemoryMb);
    limit = Math.max(limit, b.memoryLimitMb);
    for (const e of b.envs) envs.add(e);
  }
  return {
    invocations, errors, throttles, coldStarts: cold,
    initMsAvg: cold > 0 ? initSum / cold : undefined, initMsMax: cold > 0 ? initMax : undefined,
    maxMemoryUsedMb: mem > 0 ? mem : undefined, memoryMb: limit > 0 ? limit : undefined,
    environments: envs.size, durationMs: withPercentiles ? percentiles(buckets) : undefined,
  };
}

/** Up to this many kept durations are sorted for exact percentiles; beyond, the histogram is quicker. */
const EXACT_MAX = 20_000;

/** p50/p95/p99 over the buckets: the nearest-rank definition `lambkin stats` uses. */
export function percentiles(buckets: readonly Bucket[]): Percentiles | undefined {
  let kept = 0;
  let complete = true;
  for (const b of buckets) {
    kept += b.kept;
    if (b.kept < b.n) complete = false;
  }
  if (kept === 0) return undefined;
  if (complete && kept <= EXACT_MAX) {
    const all = new Float64Array(kept);
    let i = 0;
    for (const b of buckets) {
      all.set(b.samples.subarray(0, b.kept), i);
      i += b.kept;
    }
    all.sort();
    const at = (p: number) => all[Math.min(kept - 1, Math.max(0, Math.ceil((p / 100) * kept) - 1))]!;
    return { p50: at(50), p95: at(95), p99: at(99) };
  }
  return weighted(buckets);
}

// Bins 0.5 % wide from 1 µs up to 15 minutes: a percentile read from them is within 0.25 %.
const MIN_MS = 0.001;
const STEP = Math.log(1.005);
const BINS = Math.ceil(Math.log(900_000 / MIN_MS) / STEP) + 1;

function weighted(buckets: readonly Bucket[]): Percentiles {
  const hist = new Float64Array(BINS);
  let total = 0;
  for (const b of buckets) {
    if (b.kept === 0) continue;
    const w = b.n / b.kept; // each kept duration stands for this many
    for (let i = 0; i < b.kept; i++) hist[bin(b.samples[i]!)]! += w;
    total += b.n;
  }
  const at = (p: number) => {
    const want = (p / 100) * total;
    let sum = 0;
    for (let i = 0; i < BINS; i++) {
      sum += hist[i]!;
      if (sum >= want) return MIN_MS * Math.exp((i + 0.5) * STEP);
    }
    return MIN_MS * Math.exp(BINS * STEP);
  };
  return { p50: at(50), p95: at(95), p99: at(99) };
}

function bin(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  return Math.min(BINS - 1, Math.floor(Math.log(ms / MIN_MS) / STEP));
}
