// The answering half of dispatch: what this node runs for others (docs/cluster.md, "Dispatch").
// - While it has an idle environment of a function version, it holds a queue subscription on that
//   version's warm subject; a request there runs on an idle environment, or is answered "busy"
//   when none is idle now — and the node then leaves the group until one is idle again. The
//   scheduler says each time an environment becomes idle (Scheduler.watchIdle): a SUB follows when
//   the node is not in the group.
// - On lambkin.node.<self>.invoke it takes invocations placed here for a new environment.
// Either way the requester hears the result, preceded by "accepted by <self>" when the invocation
// is not done within ACCEPTED_AFTER_MS (a warm invocation usually is: one message back, not two).
// A request received after its deadline (frame.ts) is answered "busy" and never started: its
// sender has given up on it, or will try elsewhere.
// - Over a direct link (direct-serve.ts) it takes requests for a version it was known to hold idle:
//   run on an idle environment, or "busy" (never started) — the sender then takes the NATS path.
//   A result over NATS says how to reach this node directly (`via`).
import type { Msg, NatsConnection, Subscription } from 'nats';
import type { Registry } from '../registry/registry.js';
import { Throttled, type Scheduler } from '../scheduler/scheduler.js';
import type { InvocationResult } from '../scheduler/invocation.js';
import { decodeRequest, encodeReply, requestLate, type InvokeRequest, type Reply, type Via } from './frame.js';
import { nodeInvokeSubject, WARM_QUEUE, warmSubject } from './subjects.js';

/** A version with no idle environment this long leaves its group even if no request came (see watchIdle below). */
const LINGER_MS = 10_000;
/**
 * An invocation not done by then is announced "accepted" (the requester then watches this node
 * through Membership). Far below the requester's wait for an answer (requests.ts, 2 s), so a node
 * that dies before it says so is still answered for within the TTL + 2 s.
 */
const ACCEPTED_AFTER_MS = 50;

export interface ServingOptions {
  readonly nc: NatsConnection;
  readonly self: string;
  readonly scheduler: Scheduler;
  readonly registry: Registry;
  readonly log: (line: string) => void;
  /** This node's direct link (told with each result over NATS). */
  readonly via?: Via;
  /** Whether this node is in the cluster now (NATS connected): a cut-off node takes nothing directly. */
  readonly connected?: () => boolean;
}

export interface Serving {
  /** A request that came over a direct link, answered through `answer`. */
  direct(request: Uint8Array, answer: (reply: Reply) => void): void;
  close(): void;
}

export function serveDispatch(o: ServingOptions): Serving {
  const { nc, self, scheduler } = o;
  const warm = new Map<string, Subscription>();
  let closed = false;
  const reply = (to: string, r: Reply) => {
    try {
      nc.publish(to, encodeReply(r.t === 'result' ? { ...r, via: o.via } : r));
    } catch (err) {
      o.log(`lambkin: dispatch: cannot answer a request (${(err as Error).message})`);
    }
  };
  type Answer = (r: Reply) => void;
  const follow = (answer: Answer, running: Promise<InvocationResult>) => {
    const accepted = setTimeout(() => answer({ t: 'accepted', node: self }), ACCEPTED_AFTER_MS);
    running.then((result) => {
      clearTimeout(accepted);
      answer({ t: 'result', result });
    }, (err: unknown) => {
      clearTimeout(accepted);
      answer(err instanceof Throttled
        ? { t: 'throttled', reason: err.reason, message: err.message }
        : { t: 'failed', message: (err as Error)?.message ?? String(err) });
    });
  };
  let lateSaid = 0;
  /** Past its deadline: "busy" (never started), and a line in the log now and then — a sign of a partition or of clocks apart. */
  const late = (answer: Answer, req: InvokeRequest): void => {
    if (Date.now() - lateSaid > 10_000) {
      lateSaid = Date.now();
      o.log(`lambkin: dispatch: a request for ${JSON.stringify(req.fn.name.slice(0, 64))} arrived after its deadline (${Number.isFinite(req.until) ? `${Date.now() - req.until} ms` : 'none given'}) and was not run (a network partition, or this node's clock is off: keep the nodes' clocks in sync)`);
    }
    answer({ t: 'busy' });
  };

  /** Stop holding `key`'s subject — drained, not just unsubscribed: a request NATS routed here
   *  before it saw the UNSUB still reaches the callback (answered "busy") instead of being lost. */
  const release = (key: string) => {
    clearTimeout(lingering.get(key));
    lingering.delete(key);
    warm.get(key)?.drain().catch(() => undefined);
    warm.delete(key);
  };

  const onWarm = (msg: Msg) => {
    const req = decodeRequest(msg.data);
    if (!req || !msg.reply) return;
    const to = msg.reply;
    if (requestLate(req)) return late((r) => reply(to, r), req);
    // A request that names another version than its subject (a stray publisher) is refused without
    // leaving the group: this node's idle environments are still there for the real ones.
    if (warmSubject(req.fn.name, req.fn.version, req.fn.revisionId) !== msg.subject) return reply(msg.reply, { t: 'busy' });
    const running = scheduler.invokeIdle(req.fn.name, req.fn.version, req.fn.revisionId, req.input);
    if (running) return follow((r) => reply(to, r), running);
    // Nothing idle here now: leave the group until one is idle again. The UNSUB goes out before
    // "busy", so the requester's next try (NATS reads this connection in order) picks another node.
    const key = `${req.fn.name}\0${req.fn.version}`;
    if (warm.get(key)?.getSubject() === msg.subject) release(key);
    reply(msg.reply, { t: 'busy' });
  };

  // The subscription is left lazily: taking the last idle environment does not unsubscribe (a warm
  // environment taken and given back per invocation would cost an UNSUB, a flush and a SUB each
  // time); a request that then finds nothing idle does (above), and so does LINGER_MS without any.
  const lingering = new Map<string, NodeJS.Timeout>();
  scheduler.watchIdle((name, version, revisionId) => {
    const key = `${name}\0${version}`;
    if (revisionId === undefined) {
      if (warm.has(key) && !lingering.has(key)) lingering.set(key, setTimeout(() => release(key), LINGER_MS).unref());
      return;
    }
    clearTimeout(lingering.get(key));
    lingering.delete(key);
    const subject = warmSubject(name, version, revisionId);
    if (warm.get(key)?.getSubject() === subject) return;
    release(key);
    if (!closed && !nc.isClosed()) warm.set(key, nc.subscribe(subject, { queue: WARM_QUEUE, callback: (err, msg) => !err && onWarm(msg) }));
  });

  const placed = nc.subscribe(nodeInvokeSubject(self), {
    callback: (err, msg) => {
      if (err || !msg.reply) return;
      const req = decodeRequest(msg.data);
      if (!req) return;
      const to = msg.reply;
      if (requestLate(req)) return late((r) => reply(to, r), req);
      const fn = o.registry.resolve(req.fn.name, req.fn.version)?.record;
      // Not this revision here (a change not yet seen on one side): the requester runs it itself.
      if (!fn || fn.revisionId !== req.fn.revisionId) return reply(msg.reply, { t: 'busy' });
      follow((r) => reply(to, r), scheduler.invoke(fn, req.input));
    },
  });

  return {
    direct: (data, answer) => {
      const req = decodeRequest(data);
      if (!req || closed || o.connected?.() === false) return answer({ t: 'busy' });
      if (requestLate(req)) return late(answer, req);
      // Only an idle environment: the sender knew of one here; a new one is placement's (NATS) choice.
      const running = scheduler.invokeIdle(req.fn.name, req.fn.version, req.fn.revisionId, req.input);
      if (!running) return answer({ t: 'busy' });
      follow(answer, running);
    },
    close: () => {
      closed = true;
      for (const timer of lingering.values()) clearTimeout(timer);
      placed.unsubscribe();
      for (const sub of warm.values()) sub.unsubscribe();
      warm.clear();
    },
  };
}
