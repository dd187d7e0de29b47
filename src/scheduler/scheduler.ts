// The scheduler: for each invocation, a warm idle environment of the function's current revision
// (the most recently used one, whose caches are hottest), or a new one if the concurrency limits
// allow, or a throttle. It reaps idle environments and retires those of changed functions.
// It never knows HTTP: callers get results or a typed Throttled error.
import type { FunctionRecord } from '../registry/types.js';
import type { LogSink } from '../logs/types.js';
import type { SandboxBackend } from '../sandbox/types.js';
import { findRuntime } from '../runtimes/catalogue.js';
import { ExecutionEnvironment } from '../environment/environment.js';
import type { InvocationInput, InvocationResult } from '../environment/invocation.js';
import { Pool } from './pool.js';

export interface SchedulerOptions {
  readonly backend: SandboxBackend;
  readonly logs: LogSink;
  readonly region: string;
  /** Account-wide limit of environments running an invocation at once. */
  readonly maxConcurrency: number;
  readonly idleTimeoutMs: number;
  readonly initTimeoutMs: number;
}

export type ThrottleReason = 'ConcurrentInvocationLimitExceeded' | 'ReservedFunctionConcurrentInvocationLimitExceeded';

export class Throttled extends Error {
  constructor(readonly reason: ThrottleReason) {
    super(reason === 'ConcurrentInvocationLimitExceeded' ? 'Rate Exceeded.' : 'Rate Exceeded.');
  }
}

export class RuntimeUnavailable extends Error {}

export interface EnvironmentSummary {
  readonly id: string;
  readonly functionName: string;
  readonly state: string;
  readonly busy: boolean;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly invocations: number;
  readonly logStream: string;
}

export class Scheduler {
  private readonly pools = new Map<string, Pool>();
  private inFlight = 0;
  private readonly reaper: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly opts: SchedulerOptions) {
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
    const pool = this.pool(fn.config.name);
    let env = pool.takeIdle(fn.revisionId);
    if (!env) {
      if (reserved !== undefined && pool.inFlight >= reserved) {
        throw new Throttled('ReservedFunctionConcurrentInvocationLimitExceeded');
      }
      if (this.inFlight >= this.opts.maxConcurrency) throw new Throttled('ConcurrentInvocationLimitExceeded');
      env = this.create(fn, pool);
    }
    this.inFlight++;
    pool.inFlight++;
    try {
      return await env.invoke(input);
    } finally {
      this.inFlight--;
      pool.inFlight--;
      pool.release(env);
    }
  }

  /** Code or configuration of `name` changed (or it was deleted): new invocations get fresh environments. */
  retire(name: string): void {
    this.pools.get(name)?.retireAll();
  }

  environments(name?: string): EnvironmentSummary[] {
    const pools = name ? [this.pools.get(name)].filter((p): p is Pool => !!p) : [...this.pools.values()];
    return pools.flatMap((p) => p.all().map((e) => ({
      id: e.id, functionName: e.fn.config.name, state: e.state, busy: e.busy, createdAt: e.createdAt,
      lastUsedAt: e.lastUsedAt, invocations: e.invocationCount, logStream: e.logStream,
    })));
  }

  /** Stop every environment; used at shutdown. Resolves when all processes and folders are gone. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    await Promise.all([...this.pools.values()].map((p) => p.stopAll()));
  }

  private pool(name: string): Pool {
    let pool = this.pools.get(name);
    if (!pool) {
      pool = new Pool();
      this.pools.set(name, pool);
    }
    return pool;
  }

  private create(fn: FunctionRecord, pool: Pool): ExecutionEnvironment {
    const runtime = findRuntime(fn.config.runtime);
    if (!runtime) throw new RuntimeUnavailable(`runtime ${fn.config.runtime} is not known to this server`);
    const env = new ExecutionEnvironment({
      fn, runtime, backend: this.opts.backend, logs: this.opts.logs, region: this.opts.region,
      initTimeoutMs: this.opts.initTimeoutMs, onStopped: (e) => pool.remove(e),
    });
    pool.add(env);
    // start() never rejects: a failure to start surfaces as an init failure of the invoke.
    void env.start();
    return env;
  }

  private reap(): void {
    const cutoff = Date.now() - this.opts.idleTimeoutMs;
    for (const pool of this.pools.values()) pool.reapIdle(cutoff);
  }
}
