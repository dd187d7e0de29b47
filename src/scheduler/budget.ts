// The server-wide memory budget (--memory-budget): the MemorySize of every environment that exists
// — starting, idle, busy, or stopping until it is gone — counts against it, since each may use
// that much. --max-concurrency counts only invocations in flight; idle environments hold memory
// too. A new environment that would not fit first stops the least recently used idle ones, of any
// function (never a provisioned one); when even that is not enough, the caller throttles.
import type { ExecutionEnvironment } from '../environment/environment.js';
import type { Pool } from './pool.js';

/** Longest a new environment waits for evicted ones to be gone before it gives up (throttles). */
const EVICTION_WAIT_MS = 10_000;

export class MemoryBudget {
  private usedMb = 0;

  constructor(readonly limitMb: number, private readonly pools: () => Iterable<Pool>) {}

  get inUseMb(): number {
    return this.usedMb;
  }

  /** Whether one more environment of `mb` fits now. */
  fits(mb: number): boolean {
    return this.usedMb + mb <= this.limitMb;
  }

  /** An environment was created: its memory counts until released(). */
  added(env: ExecutionEnvironment): void {
    this.usedMb += env.fn.config.memorySize;
  }

  /** An environment is gone (its processes and folders too). */
  released(env: ExecutionEnvironment): void {
    this.usedMb -= env.fn.config.memorySize;
  }

  /**
   * Make room for an environment of `mb`: stop least recently used idle environments, and wait
   * until those (and any already stopping) are gone. Resolves false when nothing could make enough
   * room — every environment is busy, starting or provisioned. True does not promise that the
   * room is still there (another invocation may have taken it meanwhile): check fits() again.
   */
  async free(mb: number): Promise<boolean> {
    const over = this.usedMb + mb - this.limitMb;
    if (over <= 0) return true;
    const stopping: ExecutionEnvironment[] = [];
    const idle: { env: ExecutionEnvironment; pool: Pool }[] = [];
    for (const pool of this.pools()) {
      for (const env of pool.all()) if (env.state === 'stopping') stopping.push(env);
      for (const env of pool.evictable()) idle.push({ env, pool });
    }
    let freeing = stopping.reduce((sum, e) => sum + e.fn.config.memorySize, 0);
    idle.sort((a, b) => a.env.lastUsedAt - b.env.lastUsedAt);
    const victims: typeof idle = [];
    for (const candidate of idle) {
      if (freeing >= over) break;
      victims.push(candidate);
      freeing += candidate.env.fn.config.memorySize;
    }
    // Stopping idle environments that cannot make enough room anyway would only lose warm ones.
    if (freeing < over) return false;
    for (const { env, pool } of victims) pool.evict(env);
    let timer: NodeJS.Timeout | undefined;
    const gone = Promise.all([...stopping, ...victims.map((v) => v.env)].map((e) => e.stop())).then(() => true);
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), EVICTION_WAIT_MS)));
    try {
      return await Promise.race([gone, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
