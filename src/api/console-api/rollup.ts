// The console's numbers, kept in memory so that the functions table and the charts answer in a
// few ms however many invocation records the store holds: per function, buckets of 10 s (for the
// last hour), 1 min (last 25 h) and 1 h (last 8 days). Fed by every record the log store writes
// (its onWritten hook), after one pass at start-up over the records already stored (loader.ts).
import { Bucket, totals, type RollupRecord, type Totals } from './bucket.js';
import type { WindowName } from '../../wire.js';

interface Resolution {
  readonly ms: number;
  readonly keepMs: number;
  /** Durations kept per bucket for percentiles. */
  readonly samples: number;
}

const SECOND = 1000, MINUTE = 60 * SECOND, HOUR = 60 * MINUTE, DAY = 24 * HOUR;
export const RESOLUTIONS: readonly Resolution[] = [
  { ms: 10 * SECOND, keepMs: HOUR + 5 * MINUTE, samples: 64 },
  { ms: MINUTE, keepMs: DAY + HOUR, samples: 256 },
  { ms: HOUR, keepMs: 8 * DAY, samples: 1024 },
];

/** The windows the console offers, the resolution each is summed at, and its chart's step. */
export const WINDOWS = {
  '15m': { ms: 15 * MINUTE, resolution: 0, step: 10 * SECOND },
  '1h': { ms: HOUR, resolution: 1, step: MINUTE },
  '24h': { ms: DAY, resolution: 1, step: 15 * MINUTE },
  '7d': { ms: 7 * DAY, resolution: 2, step: 2 * HOUR },
} as const satisfies Record<WindowName, { ms: number; resolution: number; step: number }>;
// The names are part of the console API's JSON (wire.ts); every one has its entry here.
export type { WindowName };

export interface Point extends Totals {
  readonly t: number;
}

export class Rollup {
  /** function → one map per resolution: bucket start (ms) → bucket. */
  private readonly fns = new Map<string, Map<number, Bucket>[]>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.timer = setInterval(() => this.prune(), MINUTE);
    this.timer.unref();
  }

  add(r: RollupRecord): void {
    const age = this.now() - r.startedAt;
    let maps = this.fns.get(r.functionName);
    if (!maps) {
      maps = RESOLUTIONS.map(() => new Map());
      this.fns.set(r.functionName, maps);
    }
    RESOLUTIONS.forEach((res, i) => {
      if (age > res.keepMs) return;
      const start = r.startedAt - (r.startedAt % res.ms);
      const map = maps[i]!;
      let b = map.get(start);
      if (!b) {
        b = new Bucket(res.samples);
        map.set(start, b);
      }
      b.add(r);
    });
  }

  functions(): string[] {
    return [...this.fns.keys()];
  }

  /** Totals of `fn` over the window ending now (whole buckets: the window starts at a bucket edge). */
  window(fn: string, name: WindowName): Totals {
    const { since, until, resolution } = this.range(name);
    return totals(this.buckets(fn, resolution, since, until));
  }

  /** The window as chart points of `step` (or the window's own step) each, oldest first, gaps included. */
  series(fn: string, name: WindowName, step: number = WINDOWS[name].step, withPercentiles = true): { since: number; until: number; step: number; points: Point[] } {
    const { since, until, resolution } = this.range(name);
    const base = RESOLUTIONS[resolution]!.ms;
    const width = Math.max(base, step - (step % base));
    const count = Math.ceil((until - since) / width);
    const first = until - count * width;
    const groups: Bucket[][] = Array.from({ length: count }, () => []);
    for (const [start, b] of this.buckets(fn, resolution, since, until, true)) {
      const i = Math.floor((start - first) / width);
      if (i >= 0 && i < count) groups[i]!.push(b);
    }
    const points = groups.map((inside, i) => ({ t: first + i * width, ...totals(inside, withPercentiles) }));
    return { since: first, until, step: width, points };
  }

  /** Error group key (errorType \0 normalised message) → counts per point of the window's chart. */
  errorTrends(name: WindowName, points = 24): { since: number; step: number; groups: Map<string, { functionName: string; counts: number[] }> } {
    const { since, until, resolution } = this.range(name);
    const base = RESOLUTIONS[resolution]!.ms;
    const step = Math.max(base, Math.ceil((until - since) / points / base) * base);
    const first = until - points * step;
    const groups = new Map<string, { functionName: string; counts: number[] }>();
    for (const fn of this.fns.keys()) {
      for (const [start, b] of this.buckets(fn, resolution, since, until, true)) {
        if (!b.errorGroups) continue;
        const i = Math.floor((start - first) / step);
        if (i < 0 || i >= points) continue;
        for (const [key, n] of b.errorGroups) {
          const k = `${fn}\0${key}`;
          let g = groups.get(k);
          if (!g) groups.set(k, (g = { functionName: fn, counts: new Array<number>(points).fill(0) }));
          g.counts[i]! += n;
        }
      }
    }
    return { since: first, step, groups };
  }

  close(): void {
    clearInterval(this.timer);
  }

  private range(name: WindowName): { since: number; until: number; resolution: number } {
    const w = WINDOWS[name];
    const base = RESOLUTIONS[w.resolution]!.ms;
    const now = this.now();
    const until = now - (now % base) + base; // the end of the current bucket
    return { since: until - w.ms, until, resolution: w.resolution };
  }

  private buckets(fn: string, resolution: number, since: number, until: number): Bucket[];
  private buckets(fn: string, resolution: number, since: number, until: number, keyed: true): [number, Bucket][];
  private buckets(fn: string, resolution: number, since: number, until: number, keyed = false): Bucket[] | [number, Bucket][] {
    const map = this.fns.get(fn)?.[resolution];
    if (!map) return [];
    const out: [number, Bucket][] = [];
    for (const entry of map) if (entry[0] >= since && entry[0] < until) out.push(entry);
    return keyed ? out : out.map(([, b]) => b);
  }

  private prune(): void {
    const now = this.now();
    for (const [fn, maps] of this.fns) {
      RESOLUTIONS.forEach((res, i) => {
        for (const start of maps[i]!.keys()) if (start < now - res.keepMs) maps[i]!.delete(start);
      });
      if (maps.every((m) => m.size === 0)) this.fns.delete(fn);
    }
  }
}
