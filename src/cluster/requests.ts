// Requests from this node to others, each answered by a few messages on one shared reply
// subscription (no subscription per request): "accepted by node X", then the result; or "busy";
// or NATS's own "no responders" when no node subscribes to the subject. Once a node has accepted,
// the request is bound to it: if that node leaves the cluster (Membership.onLeft: its heartbeat
// passed the TTL, or it said goodbye) the request ends as `lost` at once, and is never sent
// again (a synchronous caller never has its invocation run twice).
import { createInbox, type NatsConnection, type Subscription } from 'nats';
import { decodeReply, type Reply } from './frame.js';

export type Outcome =
  | Exclude<Reply, { t: 'accepted' }>
  | { readonly t: 'none' }
  /** No node took it in time (`node` undefined), or the node that took it is gone. */
  | { readonly t: 'lost'; readonly node: string | undefined; readonly why: string };

interface Pending {
  readonly done: (o: Outcome) => void;
  readonly runMs: number;
  node?: string;
  timer: NodeJS.Timeout;
}

/** A node that has not even said "accepted" by then is taken as gone (it never ran it: retrying would be safe, but is not done). */
export const ACCEPT_TIMEOUT_MS = 5_000;

export class Requests {
  private readonly prefix = createInbox();
  private readonly pending = new Map<string, Pending>();
  private readonly sub: Subscription;
  private next = 0;

  constructor(private readonly nc: NatsConnection, private readonly alive: (node: string) => boolean) {
    this.sub = nc.subscribe(`${this.prefix}.*`, { callback: (err, msg) => !err && this.answer(msg.subject, msg.data, msg.headers?.code) });
  }

  /**
   * Send `data` on `subject`; resolves with how it ended. `runMs`: how long the accepting node may
   * take before the request is given up (the function's timeout plus its start).
   */
  send(subject: string, data: Uint8Array, runMs: number): Promise<Outcome> {
    const token = String(this.next++);
    return new Promise<Outcome>((resolve) => {
      const p: Pending = {
        runMs,
        done: (o) => {
          clearTimeout(p.timer);
          this.pending.delete(token);
          resolve(o);
        },
        timer: setTimeout(() => p.done({ t: 'lost', node: undefined, why: `no node took it within ${ACCEPT_TIMEOUT_MS} ms` }), ACCEPT_TIMEOUT_MS),
      };
      this.pending.set(token, p);
      try {
        this.nc.publish(subject, data, { reply: `${this.prefix}.${token}` });
      } catch (err) {
        p.done({ t: 'lost', node: undefined, why: `NATS refused it: ${(err as Error).message}` });
      }
    });
  }

  /** `node` left the cluster: what it had accepted ends now. */
  left(node: string): void {
    for (const p of [...this.pending.values()]) if (p.node === node) p.done({ t: 'lost', node, why: 'it left the cluster' });
  }

  close(): void {
    this.sub.unsubscribe();
    for (const p of [...this.pending.values()]) p.done({ t: 'lost', node: p.node, why: 'this node is shutting down' });
  }

  private answer(subject: string, data: Uint8Array, code: number | undefined): void {
    const p = this.pending.get(subject.slice(this.prefix.length + 1));
    if (!p) return;
    if (data.length === 0 && code === 503) {
      p.done({ t: 'none' });
      return;
    }
    const reply = decodeReply(data);
    if (!reply) return;
    if (reply.t !== 'accepted') {
      p.done(reply);
      return;
    }
    p.node = reply.node;
    clearTimeout(p.timer);
    if (!this.alive(reply.node)) {
      p.done({ t: 'lost', node: reply.node, why: 'it left the cluster' });
      return;
    }
    p.timer = setTimeout(() => p.done({ t: 'lost', node: reply.node, why: `no result within ${p.runMs} ms` }), p.runMs);
  }
}
