// Waiting for a busy environment instead of starting a new one. When every warm environment of a
// version is busy, a new one costs a cold start (tens of ms, and on a small machine another
// process competing for the cores); if invocations of this version take much less than that, the
// next environment to finish serves sooner. Estimates are moving averages of what this version
// measured (a cold start not yet measured counts as UNKNOWN_COLD_MS); with no warm one yet (or a
// slow function) it scales out as before. A waiter gives up and starts an environment once it has
// waited as long as a cold start would have taken, so waiting can never cost more than about one
// cold start. One environment still serves one invocation at a time.
import type { ExecutionEnvironment } from '../environment/environment.js';

interface Waiter {
  readonly revisionId: string;
  readonly resolve: (env: ExecutionEnvironment | undefined) => void;
  readonly timer: NodeJS.Timeout;
}

const ALPHA = 0.1;
const ewma = (avg: number | undefined, x: number) => (avg === undefined ? x : avg + ALPHA * (x - avg));
/**
 * A warm sample counts for at most this many times the average. A pause of the server's event
 * loop (a log batch being written, a GC, a burst of cold starts) stretches every invocation in
 * flight at once, and a few stretched samples took the average past the point where a new
 * environment looks quicker: measured (bench:logs, throughput part, hello at 32 in flight, two
 * runs each), unclamped, the hand-off chose to start an environment 9 and 14 times, with warm
 * averages of 4 to 100 ms for a function that runs in ~1 ms; clamped, never. A function that really
 * got slower still moves the average up by 10 % per invocation; with a spread of durations it
 * settles where the clamped samples average out, at the mean when they stay under twice it.
 */
const WARM_CLAMP = 2;

/**
 * How long a waiter for a finishing environment waits when no cold start was measured yet (its
 * environment came from the pre-started pool): about a Node.js cold start on a quiet machine.
 */
const UNKNOWN_COLD_MS = 100;

export class Handoff {
  private warmMs: number | undefined;
  private coldMs: number | undefined;
  private readonly waiters: Waiter[] = [];

  /** Invocations waiting now. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Wall time of one invocation on an environment (cold ones also teach the cold-start estimate). */
  note(ms: number, cold: boolean): void {
    if (cold) this.coldMs = ewma(this.coldMs, ms);
    else this.warmMs = ewma(this.warmMs, this.warmMs === undefined ? ms : Math.min(ms, WARM_CLAMP * this.warmMs));
  }

  /**
   * Whether waiting for one of `busy` running environments is expected to beat a cold start.
   * `finishing` of them have answered their caller and wait only for their extensions to call
   * next again (a sub-millisecond round trip for most): each is worth one waiter whatever the
   * estimates say. Waiting is still bounded by wait()'s timer.
   */
  worthWaiting(busy: number, finishing = 0): boolean {
    if (finishing > this.waiters.length) return true;
    if (busy === 0 || this.warmMs === undefined) return false;
    const expected = this.warmMs * (1 + Math.floor(this.waiters.length / busy));
    // No cold start measured yet: every one so far came from the pre-started pool (which teaches no
    // estimate), as a function's first invoke after its deploy now always does. Without this, the
    // first burst of such a version scaled out to one environment per invocation in flight (32 at
    // 32 in flight, each then sleeping and waking: ~3× the CPU per invoke of one or two busy ones).
    return expected * 2 < (this.coldMs ?? UNKNOWN_COLD_MS);
  }

  /** Resolves with an environment handed over on release, or undefined when waiting stopped paying. */
  wait(revisionId: string): Promise<ExecutionEnvironment | undefined> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        revisionId, resolve,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(undefined);
        }, Math.max(1, this.coldMs ?? UNKNOWN_COLD_MS)),
      };
      this.waiters.push(waiter);
    });
  }

  /** Give a released, idle environment to the longest waiter of its revision; true if taken. */
  offer(env: ExecutionEnvironment): boolean {
    const i = this.waiters.findIndex((w) => w.revisionId === env.fn.revisionId);
    if (i < 0) return false;
    const [w] = this.waiters.splice(i, 1);
    clearTimeout(w!.timer);
    w!.resolve(env);
    return true;
  }

  /** Nothing will be released any more (shutdown, retirement): waiters start their own. */
  flush(): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(undefined);
    }
  }
}
