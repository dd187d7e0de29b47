// The scheduler: for each invocation, a warm idle environment of the function's current revision
// (the most recently used one, whose caches are hottest), or a new one if the concurrency limits
// allow, or a throttle. It reaps idle environments and retires those of changed functions.
// It never knows HTTP: callers get results or a typed Throttled error.
import type { FunctionRecord } from '../registry/types.js';
import type { LogSink } from '../logs/types.js';
import type { EnvironmentSummary } from '../wire.js';
import { apiError } from '../errors.js';
import { runtimeOf } from '../environment/runtime-of.js';
import { ExecutionEnvironment, type EnvironmentOptions } from '../environment/environment.js';
import { prepareSandbox } from '../environment/sandbox-request.js';
import type { InvocationInput, InvocationResult } from '../environment/invocation.js';
import { Pool } from './pool.js';
import { MemoryBudget } from './budget.js';
import { DebugSessions } from './debug-sessions.js';

export interface SchedulerOptions {
  /** The sandbox backend every environment starts in (as the environment takes it). */
  readonly backend: EnvironmentOptions['backend'];
  readonly logs: LogSink;
  readonly region: string;
  /** Account-wide limit of environments running an invocation at once. */
  readonly maxConcurrency: number;
  readonly idleTimeoutMs: number;
  readonly initTimeoutMs: number;
  /** Server-wide MemorySize of all environments that exist, MB (budget.ts); none when left out. */
  readonly memoryBudgetMb?: number;
  /** Idle this long, an environment is frozen (environment/idle-freeze.ts); 'off': never. */
  readonly freezeAfterMs?: number | 'off';
}

export type ThrottleReason = 'ConcurrentInvocationLimitExceeded' | 'ReservedFunctionConcurrentInvocationLimitExceeded';

export class Throttled extends Error {
  constructor(readonly reason: ThrottleReason, message = 'Rate Exceeded.') {
    super(message);
  }
}

// The summary is the environments API's JSON too (wire.ts), so it is defined there.
export type { EnvironmentSummary } from '../wire.js';
import type { NodeUsage } from '../wire.js';

/** A node's capacity and what it holds: environments idle (warm) and busy, invocations in flight. */
export type SchedulerUsage = NodeUsage;

export class Scheduler {
  /** One pool per function version (poolKey): versions never share environments. */
  private readonly pools = new Map<string, Pool>();
  /** Invocations running per function, all versions together (reserved concurrency is per function). */
  private readonly running = new Map<string, number>();
  private inFlight = 0;
  /** Invocations waiting for a busy environment, by code hash: their code must stay (codeInUse). */
  private readonly waitingOnCode = new Map<string, number>();
  private readonly stoppedListeners: ((env: ExecutionEnvironment) => void)[] = [];
  private readonly reaper: NodeJS.Timeout;
  private closed = false;
  private readonly budget: MemoryBudget;
  private readonly debugSessions = new DebugSessions();
  private idleListener: ((name: string, version: string, revisionId: string | undefined) => void) | undefined;

  constructor(private readonly opts: SchedulerOptions) {
    this.budget = new MemoryBudget(opts.memoryBudgetMb ?? Number.POSITIVE_INFINITY, () => this.pools.values());
    // Spares follow demand for as long as an idle environment lives, in the budget's free room.
    opts.backend.prestart?.configure({ demandWindowMs: opts.idleTimeoutMs, roomMb: () => this.budget.limitMb - this.budget.inUseMb });
    const every = Math.max(250, Math.min(5_000, opts.idleTimeoutMs / 4));
    this.reaper = setInterval(() => this.reap(), every);
    this.reaper.unref();
  }

  /**
   * Run one invocation of `fn`. `reserved` is the function's reserved concurrency (undefined = none).
   * Throws Throttled when a limit is reached; otherwise resolves with the result (never rejects
   * for function failures: those are results).
   */
  async invoke(fn: FunctionRecord, input: InvocationInput, reserved?: number): Promise<InvocationResult> {
    if (this.closed) throw new Throttled('ConcurrentInvocationLimitExceeded');
    const name = fn.config.name;
    const pool = this.pool(fn);
    // The limits count invocations running, not environments: they apply to warm environments
    // too (a reserved concurrency of 0 set after some were warmed up throttles every invoke).
    const limit = reserved !== undefined && (this.running.get(name) ?? 0) >= reserved ? 'ReservedFunctionConcurrentInvocationLimitExceeded'
      : this.inFlight >= this.opts.maxConcurrency ? 'ConcurrentInvocationLimitExceeded' : undefined;
    // At a limit, an environment that has answered its caller and waits only for its extensions to
    // call next is about to be free: the caller waits for it (the hand-off below, bounded as any)
    // rather than being throttled. Once: if it does not come, the limits hold.
    if (limit && (fn.config.singleUse || pool.finishing <= pool.handoff.waiting)) throw this.throttled(fn, input, limit);
    const debugged = limit ? undefined : this.debugSessions.take(name, fn.revisionId);
    let env = limit ? undefined : debugged ?? pool.takeIdle(fn.revisionId);
    // Every warm one busy: if one frees up sooner than a cold start would take, wait for it.
    // Only warm ones count: an environment still starting is no sooner free than a new one.
    // A single-use function's busy environments never come back: nothing to wait for.
    if (!env && !fn.config.singleUse && pool.handoff.worthWaiting(pool.warmInFlight, pool.finishing)) env = await this.holdingCode(fn, pool.handoff.wait(fn.revisionId));
    if (!env) {
      // Others may have started while this one waited: the limits still hold for a new environment.
      const limits = () => this.checkLimits(fn, input, reserved);
      limits();
      // fits() and create() run in one turn: nothing else can take the room between them, and the
      // new environment is invoked before its start can fail (a failed start stops it).
      while (!this.budget.fits(fn.config.memorySize)) await this.makeRoom(fn, input, limits);
      env = this.create(fn, pool);
    }
    return this.run(fn, pool, env, input, debugged !== undefined);
  }

  /**
   * Run `input` on an idle environment of `name`/`version` at `revisionId` and nothing else: no
   * new environment, no waiting. Undefined — decided at once, before anything runs — when there
   * is none, or when --max-concurrency is reached (a cluster node answering for its warm
   * environments; docs/cluster.md "Dispatch").
   */
  invokeIdle(name: string, version: string, revisionId: string, input: InvocationInput): Promise<InvocationResult> | undefined {
    const pool = this.pools.get(poolKey(name, version));
    if (this.closed || !pool || this.inFlight >= this.opts.maxConcurrency) return undefined;
    const env = pool.takeIdle(revisionId);
    return env && this.run(env.fn, pool, env, input);
  }

  /** Whether a new environment of `fn` fits here now (--max-concurrency and the memory budget). */
  hasRoom(fn: FunctionRecord): boolean {
    return !this.closed && this.inFlight < this.opts.maxConcurrency && this.budget.fits(fn.config.memorySize);
  }

  /**
   * `listener` hears each time an environment of a version becomes idle (with its revision) and
   * when none of that version is idle any more (undefined). One listener: a cluster node's.
   */
  watchIdle(listener: (name: string, version: string, revisionId: string | undefined) => void): void {
    this.idleListener = listener;
  }

  /** A throttle decided outside (a cluster-wide limit): recorded like the scheduler's own. */
  throttle(fn: FunctionRecord, input: InvocationInput, reason: ThrottleReason, message?: string): Throttled {
    return this.throttled(fn, input, reason, message);
  }

  private async run(fn: FunctionRecord, pool: Pool, first: ExecutionEnvironment, input: InvocationInput, debugged = false): Promise<InvocationResult> {
    const name = fn.config.name;
    let env = first;
    // A debugged invocation may sit at a breakpoint: nobody waits for it, and it teaches no estimate.
    const warm = env.state === 'idle' && !debugged;
    this.inFlight++;
    pool.began(warm);
    this.running.set(name, (this.running.get(name) ?? 0) + 1);
    // The caller may be answered before the environment is free (InvocationResult.settled: its
    // extensions still work): it stays counted, busy and out of the pool until then.
    let settled: Promise<void> | undefined;
    try {
      const started = performance.now();
      const result = await env.invoke(input);
      settled = result.settled;
      // A cold start from a pre-started sandbox is the exception in a burst (there is one per
      // runtime): it must not teach the estimate that new environments are cheap.
      if (!result.undelivered && !debugged && !(result.cold && env.prestarted)) pool.handoff.note(performance.now() - started, result.cold);
      // Its runtime exited before taking it: nothing ran, so a fresh environment runs it (whose
      // first invocation cannot be undelivered: a runtime dying in init fails it for real).
      if (!result.undelivered || this.closed) return result;
      while (!this.budget.fits(fn.config.memorySize)) await this.makeRoom(fn, input, () => undefined);
      env = this.create(fn, pool);
      const retried = await env.invoke(input);
      settled = retried.settled;
      return retried;
    } finally {
      if (settled) this.releaseWhenSettled(name, pool, env, warm, settled);
      else this.ended(name, pool, env, warm);
    }
  }

  private ended(name: string, pool: Pool, env: ExecutionEnvironment, warm: boolean): void {
    this.inFlight--;
    pool.ended(warm);
    this.running.set(name, this.running.get(name)! - 1);
    pool.release(env);
  }

  /** An answered invocation whose extensions are still at work: `pool.finishing` lets the next invoke wait for it. */
  private releaseWhenSettled(name: string, pool: Pool, env: ExecutionEnvironment, warm: boolean, settled: Promise<void>): void {
    pool.finishing++;
    void settled.then(() => {
      pool.finishing--;
      this.ended(name, pool, env, warm);
    });
  }

  /** Undefined when `fn`'s runtime can run here, else a sentence saying what to install. */
  runtimeMissing(fn: FunctionRecord): string | undefined {
    return runtimeOf(fn)?.missing();
  }

  /**
   * `fn` was just created or updated: its first invoke is probably seconds away. A pre-started
   * sandbox of its runtime's shape is prepared now, so that this invoke finds one ready.
   */
  deployed(fn: FunctionRecord): void {
    const runtime = runtimeOf(fn);
    if (this.closed || !runtime) return;
    prepareSandbox(this.opts.backend, runtime, fn);
  }

  /**
   * Start (or find) `fn`'s debug environment (debug-sessions.ts): resolves with the host port its
   * debugger listens on (127.0.0.1). Throws DebugConflict when one is busy, Throttled when the memory
   * budget has no room, or an Error when its runtime could not start.
   */
  async debug(fn: FunctionRecord): Promise<number> {
    if (this.closed) throw new Throttled('ConcurrentInvocationLimitExceeded');
    let env = this.debugSessions.existing(fn.config.name, fn.revisionId);
    if (!env) {
      if (!this.budget.fits(fn.config.memorySize) && !(await this.budget.free(fn.config.memorySize))) {
        throw new Throttled('ConcurrentInvocationLimitExceeded', `Rate Exceeded. The server's memory budget has no room for a debug environment of ${fn.config.name} (${fn.config.memorySize} MB): other environments are busy.`);
      }
      env = this.create(fn, this.pool(fn), undefined, true);
      this.debugSessions.add(fn.config.name, env);
    }
    return env.debugPort!;
  }

  /**
   * Code or configuration of `name` changed, or it was deleted: new invocations get fresh
   * environments. Only `version`'s when given ($LATEST after an update), else every version's.
   */
  retire(name: string, version?: string): void {
    if (version !== undefined) this.pools.get(poolKey(name, version))?.retireAll();
    else for (const [key, pool] of this.pools) if (key.startsWith(poolKey(name, ''))) pool.retireAll();
  }

  /**
   * Start an environment of `fn` ahead of any invocation (provisioned concurrency): initialised
   * with AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency and never reaped for idling.
   * `ready` settles once it is initialised and waiting for work (false if it died first).
   */
  prestart(fn: FunctionRecord): { env: ExecutionEnvironment; ready: Promise<boolean> } | undefined {
    const pool = this.pool(fn);
    // Over the memory budget: make room (idle ones stop) and let the provisioner try again later.
    if (!this.budget.fits(fn.config.memorySize)) {
      void this.budget.free(fn.config.memorySize);
      return undefined;
    }
    const env = this.create(fn, pool, 'provisioned-concurrency');
    pool.pin(env);
    const ready = whenIdle(env).then((idle) => {
      if (idle && !env.busy) pool.release(env);
      return idle;
    });
    return { env, ready };
  }

  /** A provisioned environment no longer needed as such: it idles out like any other. */
  unpin(env: ExecutionEnvironment): void {
    this.pools.get(poolKey(env.fn.config.name, env.fn.version))?.unpin(env);
  }

  /** Stop one environment (the console's stop button). An invocation it is running fails as a crash. */
  stopEnvironment(id: string): boolean {
    for (const pool of this.pools.values()) {
      const env = pool.all().find((e) => e.id === id);
      if (env) {
        void env.stop();
        return true;
      }
    }
    return false;
  }

  /**
   * The code hashes environments run from (starting, idle, busy or stopping) or that an invocation
   * waiting for one is about to: the code store keeps them even once no function refers to them.
   */
  codeInUse(): Set<string> {
    const shas = new Set(this.waitingOnCode.keys());
    for (const pool of this.pools.values()) for (const env of pool.all()) shas.add(env.fn.codeSha256);
    return shas;
  }

  /** `listener` is called each time an environment has stopped and everything of it is gone. */
  onEnvironmentStopped(listener: (env: ExecutionEnvironment) => void): void {
    this.stoppedListeners.push(listener);
  }

  environments(name?: string): EnvironmentSummary[] {
    const pools = name ? [...this.pools].filter(([k]) => k.startsWith(poolKey(name, ''))).map(([, p]) => p) : [...this.pools.values()];
    return pools.flatMap((p) => p.all().map((e) => ({
      id: e.id, functionName: e.fn.config.name, version: e.fn.version, state: e.state, busy: e.busy, frozen: e.freezer.isFrozen, createdAt: e.createdAt,
      lastUsedAt: e.lastUsedAt, invocations: e.invocationCount, logStream: e.logStream,
    })));
  }

  /** What this node holds now (a cluster node's heartbeat, `lambkin nodes`): counted on demand, not on the invoke path. */
  usage(): SchedulerUsage {
    let warm = 0;
    let busy = 0;
    for (const pool of this.pools.values()) {
      for (const env of pool.all()) {
        if (env.busy) busy++;
        else if (env.state === 'idle') warm++;
      }
    }
    return {
      maxConcurrency: this.opts.maxConcurrency, memoryBudgetMb: this.budget.limitMb, memoryUsedMb: this.budget.inUseMb,
      warm, busy, inflight: this.inFlight,
    };
  }

  /** Stop every environment; used at shutdown. Resolves when all processes and folders are gone. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    await Promise.all([...this.pools.values()].map((p) => p.stopAll()));
  }

  /** A throttle is an invocation record too (outcome 'throttled'), so that the console can count them. */
  private throttled(fn: FunctionRecord, input: InvocationInput, reason: ThrottleReason, message?: string): Throttled {
    this.opts.logs.invocation({
      requestId: input.requestId, functionName: fn.config.name, version: fn.version, envId: undefined, logStream: undefined,
      startedAt: Date.now(), cold: false, initMs: undefined, durationMs: 0, billedMs: 0, memoryMb: fn.config.memorySize,
      maxMemoryUsedMb: undefined, outcome: 'throttled', errorType: 'TooManyRequestsException', errorMessage: message ?? `Rate Exceeded. (${reason})`,
    });
    return new Throttled(reason, message);
  }

  /** Throws Throttled when a new environment for `fn` would break a concurrency limit. */
  private checkLimits(fn: FunctionRecord, input: InvocationInput, reserved: number | undefined): void {
    if (this.closed) throw new Throttled('ConcurrentInvocationLimitExceeded');
    if (reserved !== undefined && (this.running.get(fn.config.name) ?? 0) >= reserved) {
      throw this.throttled(fn, input, 'ReservedFunctionConcurrentInvocationLimitExceeded');
    }
    if (this.inFlight >= this.opts.maxConcurrency) throw this.throttled(fn, input, 'ConcurrentInvocationLimitExceeded');
  }

  /**
   * Over the memory budget: stop idle environments to make room for one of `fn`, or throw a
   * throttle. The room may be taken again by the time this resolves: check fits() again.
   * `limits` runs again after waiting: others may have gone in flight meanwhile.
   */
  private async makeRoom(fn: FunctionRecord, input: InvocationInput, limits: () => void): Promise<void> {
    const mb = fn.config.memorySize;
    if (this.closed || !(await this.budget.free(mb))) {
      const budget = `the server's memory budget (--memory-budget ${this.budget.limitMb} MB, the MemorySize of all environments together)`;
      throw this.throttled(fn, input, 'ConcurrentInvocationLimitExceeded', mb > this.budget.limitMb
        ? `Rate Exceeded. The function's MemorySize (${mb} MB) is larger than ${budget}: lower it, or raise the budget.`
        : `Rate Exceeded. The server's memory budget (--memory-budget ${this.budget.limitMb} MB, the MemorySize of all ` +
          `environments together) is taken by environments that are busy, starting or provisioned: ` +
          `${this.budget.inUseMb} MB in use, ${mb} MB more needed.`);
    }
    limits();
  }


  private pool(fn: FunctionRecord): Pool {
    const key = poolKey(fn.config.name, fn.version);
    let pool = this.pools.get(key);
    if (!pool) {
      const { name, version } = { name: fn.config.name, version: fn.version };
      const listener = this.idleListener;
      pool = new Pool(listener && ((revisionId) => listener(name, version, revisionId)));
      this.pools.set(key, pool);
    }
    return pool;
  }

  private create(fn: FunctionRecord, pool: Pool, initializationType?: 'provisioned-concurrency', debug = false): ExecutionEnvironment {
    const runtime = runtimeOf(fn);
    // Invoke checks the runtime first (api/invoke-path.ts); a runtime this lambkin does not even
    // know (data from another version) is the same answer.
    if (!runtime) throw apiError('InvalidRuntimeException', `The runtime ${fn.config.runtime} of ${fn.config.name} is not known to this server.`);
    const env = new ExecutionEnvironment({
      fn, runtime, backend: this.opts.backend, logs: this.opts.logs, region: this.opts.region,
      initTimeoutMs: this.opts.initTimeoutMs, initializationType, // A debug environment is never frozen: a debugger attached before its invocation would hang.
      freezeAfterMs: debug ? 'off' : this.opts.freezeAfterMs, debug,
      onStopped: (e) => {
        pool.remove(e);
        this.debugSessions.stopped(e);
        this.budget.released(e);
        for (const listener of this.stoppedListeners) listener(e);
      },
    });
    pool.add(env);
    this.budget.added(env);
    // start() never rejects: a failure to start surfaces as an init failure of the invoke.
    void env.start();
    return env;
  }

  private async holdingCode<T>(fn: FunctionRecord, work: Promise<T>): Promise<T> {
    const sha = fn.codeSha256;
    this.waitingOnCode.set(sha, (this.waitingOnCode.get(sha) ?? 0) + 1);
    try {
      return await work;
    } finally {
      const n = this.waitingOnCode.get(sha)! - 1;
      if (n === 0) this.waitingOnCode.delete(sha);
      else this.waitingOnCode.set(sha, n);
    }
  }

  private reap(): void {
    const cutoff = Date.now() - this.opts.idleTimeoutMs;
    for (const pool of this.pools.values()) pool.reapIdle(cutoff);
  }
}

function poolKey(name: string, version: string): string {
  return `${name}\0${version}`;
}

/** Resolves true once `env` is initialised and idle, false if it stops first. */
async function whenIdle(env: ExecutionEnvironment): Promise<boolean> {
  await env.startSettled;
  return env.state === 'idle' || env.state === 'busy';
}
