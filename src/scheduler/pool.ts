// The environments of one function version: a stack of idle ones (last used on top, so the hottest
// is reused and the coldest ages out), and every one that exists, busy or not. Pinned ones
// (provisioned concurrency) are never reaped for idling.
import type { ExecutionEnvironment } from '../environment/environment.js';
import { Handoff } from './handoff.js';

export class Pool {
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly members = new Set<ExecutionEnvironment>();
  private readonly pinned = new Set<ExecutionEnvironment>();
  private running = 0;
  private warmRunning = 0;
  /** Invocations waiting for a busy environment rather than starting one (see handoff.ts). */
  readonly handoff = new Handoff();
  /**
   * Environments whose caller has its answer while their extensions still work on the invocation
   * (scheduler.ts, releaseWhenSettled): about to be free.
   */
  finishing = 0;

  /**
   * `watch` (a cluster node's, scheduler.watchIdle) hears each environment put back on this
   * version's idle stack (with its revision) and the stack becoming empty (undefined).
   */
  constructor(private readonly watch?: (revisionId: string | undefined) => void) {}

  /** Invocations running on this version's environments. */
  get inFlight(): number {
    return this.running;
  }

  /** Of those, the ones running on an environment that was already warm. */
  get warmInFlight(): number {
    return this.warmRunning;
  }

  /** An invocation begins on one of these environments; `warm`: one that was idle, not a cold start. */
  began(warm: boolean): void {
    this.running++;
    if (warm) this.warmRunning++;
  }

  /** The invocation `began` with the same `warm` ended. */
  ended(warm: boolean): void {
    this.running--;
    if (warm) this.warmRunning--;
  }

  add(env: ExecutionEnvironment): void {
    this.members.add(env);
  }

  /** The most recently used idle environment of this revision, if any. */
  takeIdle(revisionId: string): ExecutionEnvironment | undefined {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const env = this.idle[i]!;
      if (env.state !== 'idle' || env.retired || env.fn.revisionId !== revisionId) continue;
      this.idle.splice(i, 1);
      if (this.watch && this.idle.length === 0) this.watch(undefined);
      return env;
    }
    return undefined;
  }

  /** After an invocation: back on the idle stack if it can serve again. */
  release(env: ExecutionEnvironment): void {
    if (env.state !== 'idle') return; // stopping after a timeout/crash, or stopped
    // A single-use function's environment has served its one invocation (END and REPORT are
    // written by now): nothing of it may reach another.
    if (env.retired || (env.fn.config.singleUse && env.invocationCount > 0)) {
      void env.stopAfterUse();
      return;
    }
    if (this.handoff.offer(env)) return;
    this.idle.push(env);
    this.watch?.(env.fn.revisionId);
  }

  /** Tell the watcher when the idle stack went empty through a path other than takeIdle/release. */
  private emptied(before: number): void {
    if (this.watch && before > 0 && this.idle.length === 0) this.watch(undefined);
  }

  /** Idle environments the memory budget may stop for room (budget.ts): never provisioned ones. */
  *evictable(): Iterable<ExecutionEnvironment> {
    for (const env of this.idle) if (env.state === 'idle' && !env.busy && !this.pinned.has(env)) yield env;
  }

  /** Stop an idle environment to make room for another (budget.ts). */
  evict(env: ExecutionEnvironment): void {
    const before = this.idle.length;
    const i = this.idle.indexOf(env);
    if (i >= 0) this.idle.splice(i, 1);
    this.emptied(before);
    void env.stop();
  }

  pin(env: ExecutionEnvironment): void {
    this.pinned.add(env);
  }

  unpin(env: ExecutionEnvironment): void {
    this.pinned.delete(env);
  }

  remove(env: ExecutionEnvironment): void {
    this.members.delete(env);
    this.pinned.delete(env);
    const before = this.idle.length;
    const i = this.idle.indexOf(env);
    if (i >= 0) this.idle.splice(i, 1);
    this.emptied(before);
  }

  retireAll(): void {
    this.handoff.flush();
    for (const env of this.members) {
      env.retired = true;
      if (env.state === 'idle' && !env.busy) void env.stop();
    }
    const before = this.idle.length;
    this.idle.length = 0;
    this.emptied(before);
  }

  reapIdle(cutoff: number): void {
    // The stack is ordered by last use: the stale ones are at the bottom.
    const before = this.idle.length;
    for (let i = 0; i < this.idle.length && this.idle[i]!.lastUsedAt < cutoff;) {
      const env = this.idle[i]!;
      if (this.pinned.has(env)) {
        i++;
        continue;
      }
      this.idle.splice(i, 1);
      void env.stop();
    }
    this.emptied(before);
  }

  all(): ExecutionEnvironment[] {
    return [...this.members];
  }

  async stopAll(): Promise<void> {
    this.handoff.flush();
    const before = this.idle.length;
    this.idle.length = 0;
    this.emptied(before);
    await Promise.all([...this.members].map((e) => e.stop()));
  }
}
