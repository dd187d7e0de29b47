// What a node says of itself: who it is, where it is reached, and what it holds. A cluster node
// sends it in every heartbeat (membership.ts); a single node shows it as the one row of
// `lambkin nodes`. Counted when asked, from the scheduler, never on the invoke path.
import { readFileSync } from 'node:fs';
import type { SchedulerUsage } from '../scheduler/scheduler.js';
import type { NodeInfo } from '../wire.js';

export type { NodeInfo } from '../wire.js';

let version: string | undefined;

/** lambkin's version (package.json): src/cluster and dist/cluster both sit two levels below the root. */
export function lambkinVersion(): string {
  if (version === undefined) {
    try {
      version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
    } catch {
      version = '0.0.0';
    }
  }
  return version;
}

/** This node as it stands now. */
export function selfInfo(id: string, url: string, startedAt: number, usage: SchedulerUsage): NodeInfo {
  return {
    id, url, version: lambkinVersion(), startedAt, heartbeatAt: Date.now(),
    maxConcurrency: usage.maxConcurrency,
    memoryBudgetMb: Number.isFinite(usage.memoryBudgetMb) ? usage.memoryBudgetMb : 0,
    memoryUsedMb: usage.memoryUsedMb, warm: usage.warm, busy: usage.busy, inflight: usage.inflight,
  };
}

const COUNTS = ['startedAt', 'maxConcurrency', 'memoryBudgetMb', 'memoryUsedMb', 'warm', 'busy', 'inflight'] as const;

/** A heartbeat's body, checked: anything else on the subject (a stray publisher, an older shape) is ignored. */
export function parseNodeInfo(body: unknown, heardAt: number): NodeInfo | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.id !== 'string' || typeof b.url !== 'string' || typeof b.version !== 'string') return undefined;
  if (!COUNTS.every((k) => typeof b[k] === 'number' && Number.isFinite(b[k]))) return undefined;
  const n = (k: (typeof COUNTS)[number]) => b[k] as number;
  return {
    id: b.id, url: b.url, version: b.version, startedAt: n('startedAt'), heartbeatAt: heardAt,
    maxConcurrency: n('maxConcurrency'), memoryBudgetMb: n('memoryBudgetMb'), memoryUsedMb: n('memoryUsedMb'),
    warm: n('warm'), busy: n('busy'), inflight: n('inflight'),
  };
}
