// Requests from this node to others, each answered by one or two messages on one shared reply
// subscription (no subscription per request): the result (which says the node took it); or
// "accepted by node X" first when the invocation is not done at once, then the result; or "busy";
// or NATS's own "no responders" when no node subscribes to the subject. Once a node has accepted,
// the request is bound to it: if that node leaves the cluster (Membership.onLeft: its heartbeat
// passed the TTL, or it said goodbye) the request ends as `lost` at once, and is never sent
// again (a synchronous caller never has its invocation run twice).
//
// Every try carries a deadline (frame.ts, stampUntil), half the answer wait after it is sent: a node
// that receives it later does not start it, so a request a partition holds and delivers late never
// runs. A try with no answer by the end of the wait ends `unconfirmed`: NATS may have handed it to
// a node that took it and was then cut off, so it is not sent anywhere else either (dispatcher.ts).
// The other half covers the answer's way back on a loaded machine and the nodes' clocks
// disagreeing (keep them in sync with NTP: docs/cluster.md).
import { createInbox, type NatsConnection, type Subscription } from 'nats';
import type { DirectLink } from './direct-links.js';
import { decodeReply, stampUntil, type Reply } from './frame.js';

export type Outcome =
  | Exclude<Reply, { t: 'accepted' }>
  | { readonly t: 'none' }
  /** It never left this node (NATS refused it): safe to run elsewhere. */
  | { readonly t: 'unsent'; readonly why: string }
  /** No answer in time: some node may have taken it. */
  | { readonly t: 'unconfirmed'; readonly why: string }
  /** The node that took it is gone, or said nothing more in time. */
  | { readonly t: 'lost'; readonly node: string; readonly why: string };

interface Pending {
  readonly done: (o: Outcome) => void;
  readonly runMs: number;
  node?: string;
  /** Sent on this direct link (direct-links.ts): if the link ends first, no answer is coming. */
  link?: DirectLink;
  timer: NodeJS.Timeout;
}

/**
 * How long a try waits for its first answer: the heartbeat TTL, at least 2 s — so that a caller
 * whose try reached a node that was cut off hears within the TTL + 2 s, as when the node is killed.
 */
export function answerWaitMs(ttlMs: number): number {
  return Math.max(2_000, ttlMs);
}

export class Requests {
  private readonly prefix = createInbox();
  private readonly pending = new Map<string, Pending>();
  private readonly sub: Subscription;
  private next = 0;

  private readonly windowMs: number;

  constructor(private readonly nc: NatsConnection, private readonly alive: (node: string) => boolean, private readonly waitMs = answerWaitMs(0)) {
    this.windowMs = Math.floor(waitMs / 2);
    this.sub = nc.subscribe(`${this.prefix}.*`, { callback: (err, msg) => !err && this.answer(msg.subject.slice(this.prefix.length + 1), msg.data, msg.headers?.code) });
  }

  /**
   * Send the request `data` (encodeRequest's bytes; its deadline is stamped here) on `subject`;
   * resolves with how it ended. `runMs`: how long the accepting node may take before the request
   * is given up (the function's timeout plus its start).
   */
  send(subject: string, data: Uint8Array, runMs: number): Promise<Outcome> {
    return this.track(runMs, undefined, (token) => this.nc.publish(subject, data, { reply: `${this.prefix}.${token}` }), data);
  }

  /**
   * The same over a direct link to one node (a node known to hold an idle environment): its
   * replies come through `answerDirect`; a link that ends before the result ends it `lost` — the
   * request may have reached that node, so it is not sent anywhere else.
   */
  sendDirect(link: DirectLink, data: Uint8Array, runMs: number): Promise<Outcome> {
    return this.track(runMs, link, (token) => {
      if (!link.send(Number(token), data)) throw new Error('the direct link is not open');
    }, data);
  }

  /** A reply that came over `link`: it answers only a request sent on that link. */
  answerDirect(link: DirectLink, token: number, data: Uint8Array): void {
    if (this.pending.get(String(token))?.link === link) this.answer(String(token), data, undefined);
  }

  /** A direct link ended: what was sent on it and not yet answered is lost. */
  linkClosed(link: DirectLink): void {
    for (const p of [...this.pending.values()]) if (p.link === link) p.done({ t: 'lost', node: link.node, why: 'its direct connection closed' });
  }

  private track(runMs: number, link: DirectLink | undefined, put: (token: string) => void, data: Uint8Array): Promise<Outcome> {
    const token = String(this.next++);
    return new Promise<Outcome>((resolve) => {
      const p: Pending = {
        runMs,
        done: (o) => {
          clearTimeout(p.timer);
          this.pending.delete(token);
          resolve(o);
        },
        link,
        timer: setTimeout(() => this.unanswered(p), this.waitMs),
      };
      this.pending.set(token, p);
      try {
        stampUntil(data, Date.now() + this.windowMs);
        put(token);
      } catch (err) {
        p.done({ t: 'unsent', why: `${link ? 'the direct link' : 'NATS'} refused it: ${(err as Error).message}` });
      }
    });
  }

  /** `node` left the cluster: what it had accepted ends now. */
  left(node: string): void {
    for (const p of [...this.pending.values()]) if (p.node === node) p.done({ t: 'lost', node, why: 'it left the cluster' });
  }

  close(): void {
    this.sub.unsubscribe();
    for (const p of [...this.pending.values()]) {
      p.done(p.node ? { t: 'lost', node: p.node, why: 'this node is shutting down' } : { t: 'unconfirmed', why: 'this node is shutting down' });
    }
  }

  /**
   * Nothing by the end of the wait: first read what the server already sent this connection (a
   * flush is a round trip, and NATS keeps a connection's order), so an answer that was on its way
   * while this node's event loop was busy is not mistaken for none.
   */
  private unanswered(p: Pending): void {
    const give = () => !p.node && p.done({ t: 'unconfirmed', why: `no node answered within ${this.waitMs} ms` });
    p.timer = setTimeout(give, 1_000);
    this.nc.flush().then(give, give);
  }

  private answer(token: string, data: Uint8Array, code: number | undefined): void {
    const p = this.pending.get(token);
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
