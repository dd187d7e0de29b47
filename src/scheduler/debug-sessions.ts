// Debug environments: at most one per function at a time, started on request (POST
// /lambkin/v1/functions/{name}/debug) with the runtime's debugger, and taken by that function's next
// invocation only. It serves that one invocation and is then retired; other invocations of the
// function never reach it (it is never on its pool's idle stack).
import type { ExecutionEnvironment } from '../environment/environment.js';

/** How long a debug environment waits for its invocation. */
const UNUSED_MS = 30 * 60_000;

/** How long a debugged invocation may run at most (its own timeout is suspended up to this). */
export { DEBUG_TIMEOUT_SECONDS } from '../environment/environment.js';

export class DebugConflict extends Error {}

export class DebugSessions {
  /** By function name: the debug environment not yet invoked, or running its one invocation. */
  private readonly envs = new Map<string, ExecutionEnvironment>();

  /** The one waiting for `name`'s next invocation, if it runs the revision being invoked. */
  take(name: string, revisionId: string): ExecutionEnvironment | undefined {
    const env = this.envs.get(name);
    if (!env || env.busy || env.invocationCount > 0 || env.fn.revisionId !== revisionId) return undefined;
    if (env.state !== 'starting' && env.state !== 'idle') return undefined;
    // Retired now: once its invocation is over, the pool stops it instead of reusing it.
    env.retired = true;
    return env;
  }

  /**
   * The existing debug environment of `name` if it still waits for its invocation (asking twice
   * gives the same one); a DebugConflict if one is running its invocation; undefined: none.
   */
  existing(name: string, revisionId: string): ExecutionEnvironment | undefined {
    const env = this.envs.get(name);
    if (!env || env.state === 'stopping' || env.state === 'stopped') return undefined;
    if (env.invocationCount === 0 && !env.retired && env.fn.revisionId === revisionId) return env;
    if (env.busy) throw new DebugConflict(`Function ${name} already has a debug environment, running an invocation (it may be paused in a debugger): resume or detach it, and ask again once it has finished.`);
    return undefined;
  }

  add(name: string, env: ExecutionEnvironment): void {
    const previous = this.envs.get(name);
    // One never invoked is replaced; one that has served its invocation stops by itself once its
    // debugger has detached (ExecutionEnvironment.stopAfterUse): stopping it here would cut that off.
    if (previous && previous !== env && !previous.busy && previous.invocationCount === 0) void previous.stop();
    this.envs.set(name, env);
    // Never invoked (the session was abandoned): it goes away rather than hold its memory forever.
    setTimeout(() => {
      if (env.invocationCount === 0) void env.stop();
    }, UNUSED_MS).unref();
  }

  stopped(env: ExecutionEnvironment): void {
    if (this.envs.get(env.fn.config.name) === env) this.envs.delete(env.fn.config.name);
  }
}
