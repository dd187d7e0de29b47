// How many spare sandboxes one runtime shape needs: the most cold starts that came together (within
// BURST_MS of each other) in the recent window. A burst of 8 first invokes is met by 8 spares the
// next time; once no burst that large happened for a window (the server's idle timeout), the
// figure falls to the largest that did, and in the end to one.

/** Cold starts this close together count as one burst: none of them could wait for a refill. */
export const BURST_MS = 1_000;

export class Demand {
  /** Times of the cold starts of the current burst (the last BURST_MS). */
  private recent: number[] = [];
  /** Burst sizes, newest last, each larger than every one after it (a sliding-window maximum). */
  private readonly peaks: { at: number; n: number }[] = [];

  constructor(private windowMs: number) {}

  setWindow(ms: number): void {
    this.windowMs = ms;
  }

  /** A cold start of this shape (served by a spare or not). */
  coldStart(now: number): void {
    this.recent = this.recent.filter((t) => now - t < BURST_MS);
    this.recent.push(now);
    const n = this.recent.length;
    while (this.peaks.length && this.peaks[this.peaks.length - 1]!.n <= n) this.peaks.pop();
    this.peaks.push({ at: now, n });
  }

  /** The largest burst of the window (0: none). */
  peak(now: number): number {
    while (this.peaks.length && now - this.peaks[0]!.at > this.windowMs) this.peaks.shift();
    return this.peaks[0]?.n ?? 0;
  }
}
