// Provisioned concurrency across a cluster (docs/cluster.md, "Dispatch"): a configuration of K
// environments is kept by the live nodes together, not K by each. The nodes sorted by id share it
// out — K / n each, the remainder to the nodes after a point that depends on the configuration (so
// that remainders of many configurations do not all land on the first node) — and every node
// computes the same split from its own membership view, with no coordination (a node that just
// started takes its share once it has heard the others, 1.5 s after it joined). When a node leaves,
// the others' shares grow at the next reconcile (within a second of the TTL). Each node that keeps
// some tells the others how many are ready (lambkin.provisioned.counts, once a second while it
// keeps any), so that GetProvisionedConcurrencyConfig through any node counts them all.
import { createHash } from 'node:crypto';
import type { NatsConnection, Subscription } from 'nats';
import type { LocalProvision, ProvisionCluster, ProvisionTarget, Provisioner } from '../scheduler/provisioner.js';
import type { ClusterView } from './dispatcher.js';

export const PROVISIONED_SUBJECT = 'lambkin.provisioned.counts';
const EVERY_MS = 1000;
/** Heartbeats go out at least once a second, and a newcomer is answered at once (membership.ts). */
const SETTLE_MS = 1500;

export class ClusterProvisioning implements ProvisionCluster {
  private view: ClusterView | undefined;
  /** Shares are taken once the others had a heartbeat's time to be heard (a node just started knows only itself). */
  private sharingFrom = Number.POSITIVE_INFINITY;
  private readonly heard = new Map<string, readonly LocalProvision[]>();
  private readonly sub: Subscription;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly nc: NatsConnection, private readonly self: string) {
    this.sub = nc.subscribe(PROVISIONED_SUBJECT, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const body = msg.json<{ node?: unknown; held?: unknown }>();
          if (typeof body.node === 'string' && body.node !== self && Array.isArray(body.held)) this.heard.set(body.node, body.held.filter(isLocal));
        } catch {
          // not ours
        }
      },
    });
  }

  joined(view: ClusterView): void {
    this.view = view;
    this.sharingFrom = Date.now() + SETTLE_MS;
  }

  /** Tell the others, once a second, what `provisioner` keeps (nothing while it keeps nothing). */
  publishFrom(provisioner: Provisioner): void {
    let quiet = true;
    this.timer = setInterval(() => {
      const held = provisioner.local();
      if (held.length === 0 && quiet) return;
      quiet = held.length === 0; // one last empty message, then silence
      try {
        this.nc.publish(PROVISIONED_SUBJECT, JSON.stringify({ node: this.self, held }));
      } catch {
        // NATS away: the next tick tells them
      }
    }, EVERY_MS);
    this.timer.unref();
  }

  share(target: ProvisionTarget): number {
    if (Date.now() < this.sharingFrom) return 0;
    const ids = this.view?.live().map((n) => n.id) ?? [this.self];
    const n = ids.length;
    const me = Math.max(0, ids.indexOf(this.self));
    const offset = createHash('sha256').update(target.id).digest().readUInt32BE(0) % n;
    return Math.floor(target.count / n) + ((me - offset + n) % n < target.count % n ? 1 : 0);
  }

  others(id: string, revisionId: string | undefined): { available: number; failed: boolean } {
    let available = 0;
    let failed = false;
    for (const [node, held] of this.heard) {
      if (this.view?.get(node) === undefined) continue; // gone: its environments went with it
      for (const h of held) {
        if (h.id !== id || h.revisionId !== revisionId) continue;
        available += h.available;
        failed ||= h.failed;
      }
    }
    return { available, failed };
  }

  close(): void {
    clearInterval(this.timer);
    this.sub.unsubscribe();
  }
}

function isLocal(x: unknown): x is LocalProvision {
  const h = x as Partial<LocalProvision> | null;
  return typeof h === 'object' && h !== null && typeof h.id === 'string' && typeof h.revisionId === 'string' &&
    typeof h.available === 'number' && Number.isFinite(h.available) && typeof h.failed === 'boolean';
}
