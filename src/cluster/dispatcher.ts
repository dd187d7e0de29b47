// The cluster's Dispatcher (scheduler/dispatcher.ts): where one synchronous invocation runs
// (docs/cluster.md, "Dispatch"), decided by the node that received it:
// 1. an idle environment of that version here: run it here (no message at all);
// 2. else ask the nodes holding one (the version's warm subject, a queue group): the one NATS
//    picks runs it and answers; "busy" (its idle one was just taken) asks again, a few times;
//    "no responders" (NATS says so at once) means none in the cluster;
// 3. else a new environment, here when this node has room, or on the live node with the most
//    room (Membership's heartbeats), through lambkin.node.<id>.invoke.
// Before 2., a node that answered this version's last request over NATS is asked first over a
// direct link (a hint, "last known holder", HINT_MS): it runs the invocation on an idle environment
// or says "busy" without starting it, and then the steps above follow. Warm remote invocations in a
// row thus cost no NATS message at all (docs/cluster.md, "Direct links").
// A streamed invocation runs here: its response goes straight into the caller's connection.
import type { NatsConnection } from 'nats';
import { apiError } from '../errors.js';
import type { FunctionRecord } from '../registry/types.js';
import type { Dispatcher } from '../scheduler/dispatcher.js';
import type { InvocationInput, InvocationResult } from '../scheduler/invocation.js';
import { Throttled, type Scheduler, type ThrottleReason } from '../scheduler/scheduler.js';
import { DirectLinks } from './direct-links.js';
import { encodeRequest, type Via } from './frame.js';
import { Requests, answerWaitMs, type Outcome } from './requests.js';
import { nodeInvokeSubject, warmSubject } from './subjects.js';
import type { Membership } from './membership.js';
import type { ReservedLeases } from './reserved-leases.js';

/** What dispatch needs of Membership: who is alive, with what room, and who left. */
export type ClusterView = Pick<Membership, 'live' | 'get' | 'onLeft'>;

/** A version's last known holder: a live node (hints of a node that leaves go with it), its host and link. */
interface Hint {
  readonly via: Via;
  readonly host: string;
  until: number;
}

/** How a try ended when it was taken (or may have been): the caller's answer. */
type Settled = Exclude<Outcome, { t: 'busy' } | { t: 'none' } | { t: 'unsent' }>;

/** "Busy" answers before a new environment is started: at least this many, at most one per live node. */
const WARM_TRIES = 3;
/** Pause before asking a second time after "no responders" (see dispatch()). */
const NONE_PAUSE_MS = 5;
/** Beyond the function's timeout, the time a node may take to start an environment and answer. */
const START_GRACE_MS = 30_000;
/** After a try on a warm subject went unanswered, this node leaves that subject alone this long. */
const SUSPECT_MS = 10_000;
/** A node that ran a version's invocation is asked directly for that version's next ones this long after. */
const HINT_MS = 2_000;

export class ClusterDispatcher implements Dispatcher {
  private readonly requests: Requests;
  /** Membership starts once the server listens (its heartbeat carries the URL): until then, this node alone. */
  private view: ClusterView | undefined;
  private unwatch: () => void = () => undefined;
  /**
   * Warm subjects where a try went unanswered, until when: NATS still hands requests there to a
   * member that is cut off (the server keeps a silent client's subscriptions until its own pings
   * fail), so this node stops asking there for a while instead of failing one caller after another.
   */
  private readonly suspect = new Map<string, number>();
  /** Per warm subject: the node that last ran it (and how to reach it directly), until when. */
  private readonly hints = new Map<string, Hint>();
  private readonly links: DirectLinks;

  constructor(
    nc: NatsConnection, private readonly scheduler: Scheduler, private readonly self: string,
    private readonly leases: ReservedLeases, private readonly log: (line: string) => void, ttlMs: number,
  ) {
    this.requests = new Requests(nc, (id) => id === self || this.view?.get(id) !== undefined, answerWaitMs(ttlMs));
    this.links = new DirectLinks({ answer: (link, token, data) => this.requests.answerDirect(link, token, data), closed: (link) => this.requests.linkClosed(link) });
  }

  /** The cluster's live view: placement by room, and requests bound to a node that leaves end at once. */
  joined(view: ClusterView): void {
    this.view = view;
    this.unwatch = view.onLeft((id) => {
      this.requests.left(id);
      this.links.drop(id);
      for (const [subject, h] of this.hints) if (h.via.node === id) this.hints.delete(subject);
      this.leases.dropNode(id).catch((err: unknown) => this.log(`lambkin: dispatch: the reserved-concurrency leases of ${id} stay until it starts again: ${(err as Error).message}`));
    });
  }

  /**
   * Reserved concurrency is a ceiling for the whole cluster: a lease in PostgreSQL for each
   * invocation running (reserved-leases.ts), so each node's scheduler runs it without a limit of its own.
   */
  async invoke(fn: FunctionRecord, input: InvocationInput, reserved?: number): Promise<InvocationResult> {
    if (reserved === undefined) return this.dispatch(fn, input);
    if (reserved === 0 || !(await this.leases.take(fn.config.name, input.requestId, reserved))) {
      throw this.scheduler.throttle(fn, input, 'ReservedFunctionConcurrentInvocationLimitExceeded');
    }
    try {
      return await this.dispatch(fn, input);
    } finally {
      // Awaited: the next invocation at the ceiling must find this lease gone.
      await this.leases.release(input.requestId).catch((err: unknown) => this.log(`lambkin: dispatch: a reserved-concurrency lease stays until this node restarts: ${(err as Error).message}`));
    }
  }

  private async dispatch(fn: FunctionRecord, input: InvocationInput): Promise<InvocationResult> {
    const local = this.scheduler.invokeIdle(fn.config.name, fn.version, fn.revisionId, input);
    if (local) return local;
    if (input.stream) return this.scheduler.invoke(fn, input);
    const request = encodeRequest({ name: fn.config.name, version: fn.version, revisionId: fn.revisionId }, input);
    const runMs = fn.config.timeout * 1000 + START_GRACE_MS;
    const subject = warmSubject(fn.config.name, fn.version, fn.revisionId);
    const direct = await this.tryDirect(subject, request, runMs);
    if (direct) return this.settle(subject, direct);
    let askedAgain = false;
    // Each node answering "busy" leaves the group before it answers, so a try reaches a node not
    // tried yet: as many tries as there are nodes find an idle environment wherever it is.
    // (The live view is read only after a "busy": a warm try that is answered at once costs none.)
    let tries = this.isSuspect(subject) ? 0 : WARM_TRIES;
    for (let i = 0; i < tries; i++) {
      const outcome = await this.requests.send(subject, request, runMs);
      if (outcome.t === 'none') {
        // A node whose environment just became idle again has sent its SUB, but on a loaded
        // machine NATS may read this request first (two connections, no order between them):
        // when some other node holds environments at all, ask once more, a moment later.
        if (askedAgain || !this.othersHoldEnvironments()) break;
        askedAgain = true;
        await new Promise((r) => setTimeout(r, NONE_PAUSE_MS));
        i--;
        continue;
      }
      if (outcome.t === 'unsent') break;
      if (outcome.t === 'unconfirmed') this.suspect.set(subject, Date.now() + SUSPECT_MS);
      if (outcome.t !== 'busy') return this.settle(subject, outcome);
      if (i === 0) tries = Math.max(WARM_TRIES, this.view?.live().length ?? 0);
    }
    const target = this.place(fn);
    if (target !== this.self) {
      const outcome = await this.requests.send(nodeInvokeSubject(target), request, runMs);
      if (outcome.t !== 'busy' && outcome.t !== 'none' && outcome.t !== 'unsent') return this.settle(subject, outcome);
    }
    return this.scheduler.invoke(fn, input);
  }

  /**
   * The version's last known holder, asked over its direct link; undefined when there is none (or
   * its link is still opening) or it said "busy": nothing was started, the NATS path follows.
   */
  private async tryDirect(subject: string, request: Uint8Array, runMs: number): Promise<Settled | undefined> {
    const hint = this.hints.get(subject);
    if (!hint) return undefined;
    if (hint.until <= Date.now()) {
      this.hints.delete(subject);
      return undefined;
    }
    const link = this.links.open(hint.via.node, hint.host, hint.via);
    if (!link) return undefined;
    const outcome = await this.requests.sendDirect(link, request, runMs);
    if (outcome.t === 'busy' || outcome.t === 'unsent' || outcome.t === 'none') {
      this.hints.delete(subject);
      return undefined;
    }
    return outcome;
  }

  /** Ran on `via.node` (another live node): ask it directly first for this version's next invocation. */
  private hint(subject: string, via: Via): void {
    const now = Date.now();
    const held = this.hints.get(subject);
    if (held && held.via === via) {
      held.until = now + HINT_MS;
      return;
    }
    const url = via.node === this.self ? undefined : this.view?.get(via.node)?.url;
    if (!url) return;
    // Versions come and go (each update is a new revision): stale hints do not pile up.
    if (this.hints.size >= 1_000) for (const [s, h] of this.hints) if (h.until <= now) this.hints.delete(s);
    const host = new URL(url).hostname;
    this.hints.set(subject, { via, host, until: now + HINT_MS });
    this.links.open(via.node, host, via); // dialled now: the next invocation finds it open
  }

  private isSuspect(subject: string): boolean {
    const until = this.suspect.get(subject);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.suspect.delete(subject);
    return false;
  }

  close(): void {
    this.unwatch();
    this.links.close();
    this.requests.close();
  }

  private othersHoldEnvironments(): boolean {
    return (this.view?.live() ?? []).some((n) => n.id !== this.self && n.warm + n.busy > 0);
  }

  /** This node when it has room for a new environment of `fn`, else the live node with the most. */
  private place(fn: FunctionRecord): string {
    if (this.scheduler.hasRoom(fn)) return this.self;
    const mb = fn.config.memorySize;
    let best: string | undefined;
    let bestFree = 0;
    for (const n of this.view?.live() ?? []) {
      if (n.id === this.self) continue;
      const fits = n.memoryBudgetMb === 0 || n.memoryUsedMb + mb <= n.memoryBudgetMb;
      const free = n.maxConcurrency - n.inflight;
      if (fits && free > bestFree) {
        best = n.id;
        bestFree = free;
      }
    }
    // None has room: here, where the scheduler makes room (idle ones stop) or throttles.
    return best ?? this.self;
  }

  private settle(subject: string, outcome: Settled): InvocationResult {
    if (outcome.t !== 'result') this.hints.delete(subject);
    switch (outcome.t) {
      case 'result': {
        const via = outcome.via ?? this.hints.get(subject)?.via;
        if (via) this.hint(subject, via);
        return outcome.result;
      }
      case 'throttled': throw new Throttled(outcome.reason as ThrottleReason, outcome.message);
      case 'failed': throw apiError('ServiceException', `The node that ran this invocation failed: ${outcome.message}`);
      case 'lost': throw apiError('NodeStoppedException', `The cluster node ${outcome.node} running this invocation stopped before it answered (${outcome.why}); the function may have run in part. Invoke it again to run it again.`);
      // Not sent elsewhere and not a 5xx (which the SDKs retry): the node NATS handed it to may
      // have started it just before it was cut off.
      case 'unconfirmed': throw apiError('InvocationUnconfirmedException', `No cluster node confirmed taking this invocation (${outcome.why}); the node it was handed to may be cut off from the cluster and may have run it. Invoke it again to run it again.`);
    }
  }
}
