// Pre-started sandboxes, kept for any backend that can fill code in later (prestart/backend.ts
// wraps a backend with one). For each runtime shape used recently (runtime family, /tmp size, heap
// cap; MemorySize too for a JVM, whose heap is fixed as it starts), one sandbox is kept whose runtime has already started and imported its bootstrap, and
// waits on stdin for its function — as many as the largest burst of its cold starts in the recent
// window (demand.ts; single-use functions: one per invocation), within the pool's depth and the
// room the server's memory budget leaves. A deploy asks for its shape at once (prepare()), so
// that the first invoke finds one. A cold start that finds one only links the code into its empty
// /var/task, sets the function's limits on its cgroup and hands the runtime the function's
// environment (one JSON line on stdin): what remains is the function's own init. The sandbox is
// the same as a normal start's — same backend, namespaces, uid, network, /tmp, limits; each serves
// one environment and is never reused. A function whose environment sets variables that the
// interpreter or libc read as the process starts (NODE_OPTIONS, PYTHONPATH, LD_PRELOAD, …) gets a
// start of its own, since those would come too late — unless what waits is a launcher that execs
// the runtime only after the handover (custom runtimes: runtimes/custom.ts).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type {
  Prestarted, Prestarter, PrestartRequest, PrestartRuntime, PrestartStats, PrestartTuning, SandboxBackend, SandboxLayout, SandboxLimits, SandboxProcess,
} from '../types.js';
import { inheritedEnvironment } from '../../settings.js';
import { Demand } from './demand.js';
import { canHandOver, handoverText } from './handover.js';

/** Set in a pre-started runtime's environment: read your environment from stdin first. */
export const PRESTART_VARIABLE = '_LAMBKIN_PRESTART';

/** Read as any process starts, whatever its runtime: a function setting one is not served from the pool. */
const STARTUP_VARIABLES = /^(LD_|MALLOC_|GLIBC_TUNABLES$|LC_|LANG$|LANGUAGE$|TZ$|TMPDIR$|PATH$|HOME$|OPENSSL_|SSL_CERT_|AWS_LAMBDA_EXEC_WRAPPER$)/;

export interface PrestartOptions {
  /** A shape not asked for this long loses its sandbox. */
  readonly idleMs: number;
  /**
   * Most shapes kept at once (each holds one idle runtime: ~15 MB PSS for Node.js, ~8 for Python;
   * a custom runtime's, only the sandbox and a waiting shell: ~1.6 MB).
   */
  readonly maxShapes: number;
  /** Wait this long after a cold start before starting its replacement, so that the two do not compete. */
  readonly refillDelayMs: number;
  /**
   * A shape that failed 3 times in a row is tried again after this long (when asked for): the
   * failure may have passed (the server out of file descriptors for a while).
   */
  readonly retryAfterMs: number;
  /** Most sandboxes kept ready for one shape, when its cold starts come in bursts. */
  readonly maxDepth: number;
  /** A burst of cold starts keeps its number of spares ready this long (the server's idle timeout). */
  readonly demandWindowMs: number;
  /**
   * MB of the server's memory budget not taken by environments: spares beyond one per shape
   * count their shape's MemorySize against it, and are not started when they would not fit.
   */
  readonly roomMb: () => number;
}

interface Shape {
  readonly key: string;
  readonly runtime: PrestartRuntime;
  readonly limits: SandboxLimits;
  readonly heapCapMb?: number;
  wantedAt: number;
  /** The last cold start that asked for one: refills wait until they pause (refill()). */
  takenAt: number;
  /** When the refill now waiting for such a pause was first due. */
  dueAt?: number;
  /** Pre-started sandboxes of this shape that died (or failed to start) unasked since one was last used: at 3 the shape stops refilling for retryAfterMs. */
  failures: number;
  failedAt?: number;
  timer?: NodeJS.Timeout;
  filling?: Promise<void>;
  readonly ready: Entry[];
  readonly demand: Demand;
}

interface Entry {
  readonly id: string;
  readonly layout: SandboxLayout;
  readonly proc: SandboxProcess;
  alive: boolean;
  /** Handed to an environment: its end is no longer the pool's business. */
  taken: boolean;
}

const DEFAULTS: PrestartOptions = {
  // One shape of each family the pool serves (Node.js, Python, Ruby, Java, custom) on one server.
  idleMs: 10 * 60_000, maxShapes: 5, refillDelayMs: 200, retryAfterMs: 60_000, maxDepth: 8,
  demandWindowMs: 10 * 60_000, roomMb: () => Number.POSITIVE_INFINITY,
};
const MAX_FAILURES = 3;
/** A refill waits for a pause in cold starts at most this long: a steady stream (a single-use function) still gets its spares. */
const MAX_REFILL_WAIT_MS = 1_000;

export class PrestartPool implements Prestarter {
  private readonly shapes = new Map<string, Shape>();
  private opts: PrestartOptions;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;
  private hits = 0;
  private misses = 0;

  constructor(private readonly backend: SandboxBackend, opts: Partial<PrestartOptions> = {}) {
    this.opts = { ...DEFAULTS, ...opts };
    this.startSweeper();
  }

  /** The server's idle timeout and memory budget, from the scheduler that uses this pool. */
  configure(tuning: PrestartTuning): void {
    this.opts = { ...this.opts, ...tuning };
    for (const shape of this.shapes.values()) shape.demand.setWindow(this.opts.demandWindowMs);
    this.startSweeper();
  }

  /**
   * A function of this shape was just deployed: have a spare ready for its first invoke. Nothing
   * competes with a cold start yet, so it starts at once.
   */
  prepare(req: PrestartRequest): void {
    if (!this.serves(req)) return;
    const shape = this.shape(req);
    shape.wantedAt = Date.now();
    this.refill(shape, 0);
  }

  stats(): PrestartStats {
    const now = Date.now();
    return {
      hits: this.hits, misses: this.misses,
      shapes: [...this.shapes.values()].map((s) => ({ shape: s.key, ready: s.ready.filter((e) => e.alive).length, depth: this.depth(s, now) })),
    };
  }

  /**
   * A pre-started sandbox for this request, or undefined (start one the usual way). Either way the
   * shape counts as wanted: a replacement (or a first one) starts shortly, in the background.
   */
  take(req: PrestartRequest): Prestarted | undefined {
    if (!this.serves(req)) return undefined;
    const shape = this.shape(req);
    const now = Date.now();
    shape.wantedAt = now;
    shape.takenAt = now;
    // Counted as demand either way: a burst that found too few keeps more ready next time.
    shape.demand.coldStart(now);
    let entry = shape.ready.shift();
    while (entry && !entry.alive) entry = shape.ready.shift();
    this.refill(shape);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    entry.taken = true;
    shape.failures = 0; // it lived until asked for: the shape works
    return this.handle(entry, shape);
  }

  /** Kill every waiting sandbox and remove its folders; nothing starts afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    const shapes = [...this.shapes.values()];
    this.shapes.clear();
    for (const s of shapes) clearTimeout(s.timer);
    await Promise.all(shapes.map(async (s) => {
      await s.filling;
      await Promise.all(s.ready.splice(0).map((e) => this.remove(e)));
    }));
  }

  private serves(req: PrestartRequest): boolean {
    const support = req.runtime.prestart;
    if (this.closed || !support || !this.backend.fillCode || !canHandOver(support, req.functionEnv)) return false;
    if (req.layerDirs?.length && !this.backend.fillOpt) return false;
    // A launcher that execs the runtime after the handover: the runtime starts with all of it.
    if (support.execsAtHandover) return true;
    if (req.layerDirs?.some((d) => existsSync(join(d, 'lib')))) return false;
    const pattern = support.startupVariables;
    return !Object.keys(req.functionEnv).some((k) => STARTUP_VARIABLES.test(k) || pattern.test(k));
  }

  /** How many of `shape` to keep ready now: its recent demand, at least one, at most maxDepth. */
  private depth(shape: Shape, now: number): number {
    return Math.max(1, Math.min(this.opts.maxDepth, shape.demand.peak(now)));
  }

  /** MB of MemorySize the spares (ready or starting) hold, all shapes together. */
  private spareMb(): number {
    let mb = 0;
    for (const s of this.shapes.values()) mb += (s.ready.filter((e) => e.alive).length + (s.filling ? 1 : 0)) * s.limits.memoryMb;
    return mb;
  }

  private shape(req: PrestartRequest): Shape {
    // One interpreter per family in lambkin's catalogue (nodejs20.x and 22.x run the same node):
    // what differs between runtime ids (AWS_EXECUTION_ENV) is in the environment handed over later.
    // A JVM sizes its heap from MemorySize as it starts: one shape per MemorySize for such a runtime.
    const memory = req.runtime.prestart?.perMemorySize ? `|mem ${req.limits.memoryMb}` : '';
    const key = `${req.runtime.family}|tmp ${req.limits.tmpMb}|heap ${req.heapCapMb ?? '-'}${memory}`;
    let shape = this.shapes.get(key);
    if (!shape) {
      if (this.shapes.size >= this.opts.maxShapes) this.evictOldest();
      // No function's egress policy: the sandbox starts with the default and gets its own at claim.
      const limits = { memoryMb: req.limits.memoryMb, tmpMb: req.limits.tmpMb, pids: req.limits.pids };
      shape = {
        key, runtime: req.runtime, limits, heapCapMb: req.heapCapMb, wantedAt: Date.now(), takenAt: 0, failures: 0,
        ready: [], demand: new Demand(this.opts.demandWindowMs),
      };
      this.shapes.set(key, shape);
    }
    return shape;
  }

  private refill(shape: Shape, delayMs?: number): void {
    if (this.closed || shape.timer || shape.filling) return;
    if (shape.failures >= MAX_FAILURES && Date.now() - (shape.failedAt ?? 0) < this.opts.retryAfterMs) return;
    const ready = shape.ready.filter((e) => e.alive).length;
    const depth = this.depth(shape, Date.now());
    if (ready >= depth) return;
    // The first spare of a shape is always kept (its cost is what the pool is for); more only in
    // the room the memory budget leaves beside the environments.
    if (ready >= 1 && this.spareMb() + shape.limits.memoryMb > this.opts.roomMb()) return;
    // Start once the shape's cold starts pause for refillDelayMs, so as not to compete with them:
    // a spare's start (Node.js ~60–80 ms of CPU) is for the next burst, while each hand-over of
    // this one needs ~5–10 ms (docs/performance.md, "Where the time goes"). Then one at a time
    // (fill()'s chain below), up to the shape's depth.
    const delay = delayMs ?? this.opts.refillDelayMs;
    shape.timer = setTimeout(() => {
      shape.timer = undefined;
      if (this.closed || this.shapes.get(shape.key) !== shape) return;
      const now = Date.now();
      shape.dueAt ??= now;
      const pause = shape.takenAt + this.opts.refillDelayMs - now;
      if (pause > 0 && now - shape.dueAt < MAX_REFILL_WAIT_MS) {
        this.refill(shape, pause);
        return;
      }
      shape.dueAt = undefined;
      shape.filling = this.fill(shape)
        .catch(() => {
          this.failed(shape);
        })
        .finally(() => {
          shape.filling = undefined;
          this.refill(shape, 0); // one at a time, up to the shape's depth (after a pause in cold starts)
        });
    }, delay);
    shape.timer.unref();
  }

  private async fill(shape: Shape): Promise<void> {
    const { backend } = this;
    const id = randomBytes(16).toString('hex'); // as an environment's id: it becomes one
    const layout = await backend.prepare(id, undefined, shape.limits);
    const paths = {
      taskRoot: layout.taskRoot, runtimeDir: layout.runtimeDir, heapCapMb: shape.heapCapMb, memoryMb: shape.limits.memoryMb,
      runtimeApiSocket: layout.runtimeApiSocket, // where the sandbox shows it: the same for every environment
    };
    // The runtime itself, or the launcher that starts it once its function is known.
    const support = shape.runtime.prestart;
    const launch = support?.launch ? support.launch(paths) : shape.runtime.launch(paths);
    // What every environment of the runtime starts with (env-vars.ts), nothing of any function.
    const env = { ...inheritedEnvironment(), TMPDIR: layout.tmpDir, ...launch.env, [PRESTART_VARIABLE]: '1' };
    let proc: SandboxProcess;
    try {
      proc = backend.start(layout, { command: launch.command, args: launch.args, env, limits: shape.limits, stdinPipe: true });
    } catch (err) {
      await backend.cleanup(layout).catch(() => undefined);
      throw err;
    }
    proc.stdin?.on('error', () => undefined); // EPIPE when it died: its exit says so
    const entry: Entry = { id, layout, proc, alive: true, taken: false };
    void proc.exited.then(() => {
      entry.alive = false;
      if (entry.taken) return;
      const i = shape.ready.indexOf(entry);
      if (i >= 0) shape.ready.splice(i, 1);
      void backend.cleanup(layout).catch(() => undefined);
      if (!this.closed) {
        this.failed(shape);
        this.refill(shape);
      }
    });
    if (this.closed || this.shapes.get(shape.key) !== shape) {
      await this.remove(entry);
      return;
    }
    shape.ready.push(entry);
  }

  private handle(entry: Entry, shape: Shape): Prestarted {
    const { backend } = this;
    return {
      id: entry.id,
      layout: entry.layout,
      claim: async (codeDir, limits, layerDirs = []) => {
        try {
          if (!entry.alive) throw new Error('the pre-started runtime exited');
          await backend.fillCode!(entry.layout, codeDir);
          if (layerDirs.length > 0) await backend.fillOpt!(entry.layout, layerDirs);
          await backend.resize?.(entry.layout, limits);
          return true;
        } catch {
          await this.remove(entry);
          return false;
        }
      },
      assign: (env) => {
        backend.listening?.(entry.layout);
        entry.proc.stdin?.end(handoverText(shape.runtime.prestart, env));
        return entry.proc;
      },
      discard: () => this.remove(entry),
    };
  }

  private async remove(entry: Entry): Promise<void> {
    entry.taken = true; // its exit is handled here, not by fill()'s watcher
    entry.proc.kill();
    await entry.proc.exited;
    await this.backend.cleanup(entry.layout).catch(() => undefined);
  }

  private failed(shape: Shape): void {
    shape.failures++;
    shape.failedAt = Date.now();
  }

  private evictOldest(): void {
    const oldest = [...this.shapes.values()].sort((a, b) => a.wantedAt - b.wantedAt)[0];
    if (oldest) this.drop(oldest);
  }

  private drop(shape: Shape): void {
    this.shapes.delete(shape.key);
    clearTimeout(shape.timer);
    for (const entry of shape.ready.splice(0)) void this.remove(entry);
  }

  private startSweeper(): void {
    clearInterval(this.sweeper);
    if (this.closed) return;
    // Often enough that spares beyond a shape's demand go within the demand window.
    const every = Math.max(250, Math.min(30_000, this.opts.idleMs / 2, this.opts.demandWindowMs / 4));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  private sweep(): void {
    const now = Date.now();
    const cutoff = now - this.opts.idleMs;
    for (const shape of [...this.shapes.values()]) {
      if (shape.wantedAt < cutoff) {
        this.drop(shape);
        continue;
      }
      // Demand fell (no burst that large in the window): give the spares beyond it back.
      const alive = shape.ready.filter((e) => e.alive);
      for (const entry of alive.slice(this.depth(shape, now))) {
        shape.ready.splice(shape.ready.indexOf(entry), 1);
        void this.remove(entry);
      }
    }
  }
}
