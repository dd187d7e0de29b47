// Provisioned concurrency: for each configuration (a version, or the version an alias points at),
// keep that many environments initialised and waiting, so invokes find them warm. A reconcile loop
// compares what is wanted with what lives: it starts missing environments (replacing ones that
// timed out or crashed), lets go of surplus ones (they idle out like any other), and follows an
// alias to its new version. Status is computed from the environments themselves.
import type { FunctionRecord } from '../registry/types.js';
import type { ExecutionEnvironment } from '../environment/environment.js';
import type { Scheduler } from './scheduler.js';

export interface ProvisionTarget {
  /** Identifies the configuration, e.g. `my-fn:live`. */
  readonly id: string;
  /** The version to keep warm. */
  readonly fn: FunctionRecord;
  readonly count: number;
}

export type ProvisionState = 'IN_PROGRESS' | 'READY' | 'FAILED';

export interface ProvisionStatus {
  readonly requested: number;
  /** Environments initialised and serving (idle or busy). */
  readonly available: number;
  readonly status: ProvisionState;
  readonly reason?: string;
}

/**
 * On a cluster node (cluster/provisioned.ts): a configuration's K environments are kept across
 * the cluster, each node its share, and its status counts every node's.
 */
export interface ProvisionCluster {
  /** How many of `target`'s environments this node keeps. */
  share(target: ProvisionTarget): number;
  /** What the other live nodes keep of configuration `id` at `revisionId`. */
  others(id: string, revisionId: string | undefined): { readonly available: number; readonly failed: boolean };
}

/** What this node keeps of one configuration (a cluster node tells the others). */
export interface LocalProvision {
  readonly id: string;
  readonly revisionId: string;
  readonly available: number;
  readonly failed: boolean;
}

/** Environments that die before they are ready this many times in a row: the configuration FAILED. */
const MAX_FAILURES = 3;

interface Held {
  revisionId: string;
  readonly envs: Map<ExecutionEnvironment, boolean>; // → initialised
  failures: number;
}

export class Provisioner {
  private readonly held = new Map<string, Held>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly targets: () => readonly ProvisionTarget[],
    everyMs = 250,
    private readonly cluster?: ProvisionCluster,
  ) {
    this.timer = setInterval(() => this.reconcile(), everyMs);
    this.timer.unref();
  }

  reconcile(): void {
    const wanted = new Map(this.targets().map((t) => [t.id, t]));
    for (const [id, held] of this.held) {
      if (!wanted.has(id)) {
        this.release(held, 0);
        this.held.delete(id);
      }
    }
    for (const target of wanted.values()) this.keep(target);
  }

  /** How far configuration `id` is; `revisionId` is the version it should keep (its alias may have moved). */
  status(id: string, requested: number, revisionId: string | undefined): ProvisionStatus {
    if (this.held.get(id)?.revisionId !== revisionId) this.reconcile();
    const held = this.held.get(id);
    const others = this.cluster?.others(id, revisionId) ?? { available: 0, failed: false };
    const available = (held ? ready(held) : 0) + others.available;
    if ((held && held.failures >= MAX_FAILURES) || others.failed) {
      return { requested, available, status: 'FAILED', reason: 'FUNCTION_ERROR_INIT_FAILURE: environments failed to initialise' };
    }
    return { requested, available, status: available >= requested ? 'READY' : 'IN_PROGRESS' };
  }

  /** Each configuration this node keeps environments of, with how many are ready. */
  local(): LocalProvision[] {
    return [...this.held].map(([id, h]) => ({ id, revisionId: h.revisionId, available: ready(h), failed: h.failures >= MAX_FAILURES }));
  }

  /** A configuration put again: give environments that failed to initialise another chance. */
  retry(id: string): void {
    const held = this.held.get(id);
    if (held) held.failures = 0;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private keep(target: ProvisionTarget): void {
    let held = this.held.get(target.id);
    if (held && held.revisionId !== target.fn.revisionId) {
      // The alias now points elsewhere (or the config was replaced): start over on that version.
      this.release(held, 0);
      held = undefined;
    }
    if (!held) {
      held = { revisionId: target.fn.revisionId, envs: new Map(), failures: 0 };
      this.held.set(target.id, held);
    }
    for (const env of held.envs.keys()) if (!live(env) && env.state !== 'starting') held.envs.delete(env);
    const count = this.cluster ? this.cluster.share(target) : target.count;
    this.release(held, count);
    if (held.failures >= MAX_FAILURES) return;
    while (held.envs.size < count) {
      const started = this.scheduler.prestart(target.fn);
      if (!started) break; // over the memory budget: room is being made, the next round tries again
      const { env, ready } = started;
      const h = held;
      h.envs.set(env, false);
      void ready.then((ok) => {
        if (!h.envs.has(env)) return;
        if (ok) {
          h.envs.set(env, true);
          h.failures = 0;
        } else {
          h.envs.delete(env);
          h.failures++;
        }
      });
    }
  }

  /** Keep at most `count` environments of `held`; the others become ordinary ones. */
  private release(held: Held, count: number): void {
    for (const env of [...held.envs.keys()].slice(count)) {
      held.envs.delete(env);
      this.scheduler.unpin(env);
    }
  }
}

function ready(held: Held): number {
  return [...held.envs].filter(([env, ok]) => ok && live(env)).length;
}

function live(env: ExecutionEnvironment): boolean {
  return env.state === 'idle' || env.state === 'busy';
}
