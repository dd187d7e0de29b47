// Freezing an idle environment, as Lambda does between invocations: whatever its code left running
// (a detached busy loop, a timer, a thread) gets no CPU until the next invocation is handed to it.
// The runtime is frozen once it has answered and polled /next again (it then only waits); a
// runtime that does not poll is frozen anyway after a while — thawed, it polls and gets its event.
// Thawing comes before the event is written, so that the invocation's deadline never counts
// frozen time. Killing thaws too (cgroup/files.ts): a frozen process cannot die.
import type { SandboxProcess } from '../sandbox/types.js';

/**
 * Idle this long before freezing. Freezing and thawing cost ~130 µs of the server's event loop
 * each (a cgroup v1 freezer.state write, measured here): paid on every invocation, that was a
 * tenth of a warm invoke. Under steady traffic an environment is never idle this long and is
 * never frozen; between bursts it is. See docs/design.md, "Threat containment".
 */
export const FREEZE_AFTER_MS = 100;
/** A runtime that has not polled /next this long after its invocation ended is frozen all the same. */
export const FREEZE_WITHOUT_POLL_MS = 1_000;

export interface FreezeTarget {
  /** The sandbox's processes, once started. */
  process(): SandboxProcess | undefined;
  /** Initialised, no invocation running. */
  idle(): boolean;
  /** Its runtime waits in GET /next. */
  polling(): boolean;
}

export class IdleFreezer {
  private timer: NodeJS.Timeout | undefined;
  private armed = false;
  /** When it last went idle; 0 while it runs an invocation. */
  private idleSince = 0;
  private frozen = false;
  private stopped = false;

  /** `afterMs`: how long idle before freezing (0: as soon as it polls again); 'off': never. */
  constructor(private readonly target: FreezeTarget, private readonly afterMs: number | 'off' = FREEZE_AFTER_MS) {}

  get isFrozen(): boolean {
    return this.frozen;
  }

  /** The environment went idle, or its runtime polled again: freeze it once it has stayed idle. */
  idle(): void {
    if (this.frozen || this.stopped || this.afterMs === 'off') return;
    this.idleSince = Date.now();
    if (this.afterMs === 0 && this.target.polling()) {
      this.frozen = this.target.process()?.freeze?.(true) ?? false;
      return;
    }
    if (this.armed) return; // the timer, when it fires, looks at idleSince again
    this.armed = true;
    // One timer per environment, re-armed (refresh) rather than made anew for every invocation.
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(() => this.check(), this.afterMs).unref();
  }

  /** An event is about to be handed over: thaw first. */
  wake(): void {
    this.idleSince = 0;
    if (!this.frozen) return;
    this.frozen = false;
    this.target.process()?.freeze?.(false);
  }

  /** The environment is stopping: no freezing any more (the kill thaws what is frozen). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private check(): void {
    this.armed = false;
    if (this.stopped || this.frozen || this.idleSince === 0 || !this.target.idle()) return;
    const idleFor = Date.now() - this.idleSince;
    if (idleFor < (this.afterMs as number) || (!this.target.polling() && idleFor < FREEZE_WITHOUT_POLL_MS)) {
      this.armed = true;
      this.timer!.refresh();
      return;
    }
    this.frozen = this.target.process()?.freeze?.(true) ?? false;
  }
}
