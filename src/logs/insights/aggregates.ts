// The aggregations of `stats`: one small state per group and aggregation, fed row by row. Memory
// is bounded whatever the data: count_distinct is exact up to EXACT_DISTINCT values, then an
// estimate (distinct.ts); pct keeps values exactly while the query's budget lasts (ValueBudget),
// then a uniform sample of them (percentiles become estimates, as CloudWatch's are).
import type { Expr } from './ast.js';
import { DistinctCounter } from './distinct.js';
import { evaluate } from './evaluate.js';
import type { Row } from './row.js';
import { sortCompare, Time, toNumber, type Value } from './values.js';

export interface Aggregate {
  add(row: Row): void;
  result(): Value;
}

/** Values kept for percentiles across all groups of one query. */
export class ValueBudget {
  constructor(public left: number) {}
}

/** Per group, the most values a percentile keeps once the query's budget is spent. */
const SAMPLE = 4096;

export function createAggregate(call: Expr & { kind: 'call' }, budget: ValueBudget): Aggregate {
  const arg = call.args[0];
  const value = (row: Row): Value => (arg ? evaluate(arg, row) : undefined);
  switch (call.name) {
    case 'count':
      return counter(arg && !call.star ? (row) => value(row) !== undefined : () => true);
    case 'count_distinct': {
      const d = new DistinctCounter();
      return { add: (row) => d.add(value(row)), result: () => d.count() };
    }
    case 'sum':
    case 'avg':
    case 'stddev':
      return moments(call.name, (row) => toNumber(value(row)));
    case 'min':
    case 'max':
      return extreme(call.name === 'max' ? 1 : -1, value);
    case 'pct':
      return new Percentile((row) => toNumber(value(row)), Number((call.args[1] as { value: number }).value), budget);
    case 'earliest':
    case 'latest':
      return byTime(call.name === 'latest' ? 1 : -1, value);
    case 'sortsfirst':
    case 'sortslast':
      return sorted(call.name === 'sortslast' ? 1 : -1, value);
    default:
      throw new Error(`not an aggregation: ${call.name}`);
  }
}

function counter(counts: (row: Row) => boolean): Aggregate {
  let n = 0;
  return { add: (row) => void (counts(row) && n++), result: () => n };
}

/** Welford's running mean and variance: no values kept. stddev is the sample's (n − 1). */
function moments(kind: 'sum' | 'avg' | 'stddev', value: (row: Row) => number | undefined): Aggregate {
  let n = 0;
  let sum = 0;
  let mean = 0;
  let m2 = 0;
  return {
    add(row) {
      const x = value(row);
      if (x === undefined) return;
      n++;
      sum += x;
      const d = x - mean;
      mean += d / n;
      m2 += d * (x - mean);
    },
    result() {
      if (n === 0) return undefined;
      if (kind === 'sum') return sum;
      if (kind === 'avg') return sum / n;
      return n < 2 ? 0 : Math.sqrt(m2 / (n - 1));
    },
  };
}

/** min / max of numbers (times stay times). */
function extreme(sign: 1 | -1, value: (row: Row) => Value): Aggregate {
  let best: number | undefined;
  let time = true;
  return {
    add(row) {
      const v = value(row);
      const n = toNumber(v);
      if (n === undefined) return;
      if (!(v instanceof Time)) time = false;
      if (best === undefined || sign * (n - best) > 0) best = n;
    },
    result: () => (best === undefined ? undefined : time ? new Time(best) : best),
  };
}

/** The value of the row with the earliest / latest @timestamp. */
function byTime(sign: 1 | -1, value: (row: Row) => Value): Aggregate {
  let at: number | undefined;
  let held: Value;
  return {
    add(row) {
      const v = value(row);
      const t = toNumber(row.get('@timestamp'));
      if (v === undefined || t === undefined) return;
      if (at === undefined || sign * (t - at) > 0) {
        at = t;
        held = v;
      }
    },
    result: () => held,
  };
}

/** The value that sorts first / last (as `sort` orders). */
function sorted(sign: 1 | -1, value: (row: Row) => Value): Aggregate {
  let held: Value;
  return {
    add(row) {
      const v = value(row);
      if (v !== undefined && (held === undefined || sign * sortCompare(v, held) > 0)) held = v;
    },
    result: () => held,
  };
}

/** Nearest-rank percentile: the smallest value with at least p % of the values at or below it. */
export class Percentile implements Aggregate {
  private values: number[] = [];
  private seen = 0;
  private sampling = false;
  private random = 0x9e3779b9;

  constructor(private readonly value: (row: Row) => number | undefined, private readonly p: number, private readonly budget: ValueBudget) {}

  add(row: Row): void {
    const x = this.value(row);
    if (x === undefined || Number.isNaN(x)) return;
    this.seen++;
    if (!this.sampling) {
      if (this.budget.left > 0) {
        this.budget.left--;
        this.values.push(x);
        return;
      }
      this.sampling = true;
      if (this.values.length > SAMPLE) this.values = this.values.filter((_, i) => i % Math.ceil(this.values.length / SAMPLE) === 0);
    }
    // Reservoir sampling (algorithm R) with a fixed seed: the same data gives the same answer.
    if (this.values.length < SAMPLE) this.values.push(x);
    else {
      const j = this.next() % this.seen;
      if (j < SAMPLE) this.values[j] = x;
    }
  }

  result(): Value {
    if (this.values.length === 0) return undefined;
    const sorted = Float64Array.from(this.values).sort();
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((this.p / 100) * sorted.length) - 1))];
  }

  private next(): number {
    // xorshift32
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x >>> 0;
    return this.random;
  }
}
