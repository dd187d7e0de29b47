// The answering half of dispatch: what this node runs for others (docs/cluster.md, "Dispatch").
// - While it has an idle environment of a function version, it holds a queue subscription on that
//   version's warm subject; a request there runs on the idle environment, or is answered "busy"
//   when it was taken meanwhile. The scheduler says when a version's idle stack empties and fills
//   (Scheduler.watchIdle): the subscription follows, one SUB line, or one UNSUB and a flush.
// - On lambkin.node.<self>.invoke it takes invocations placed here for a new environment.
// Either way the requester hears "accepted by <self>" first, then the result.
import type { Msg, NatsConnection, Subscription } from 'nats';
import type { Registry } from '../registry/registry.js';
import { Throttled, type Scheduler } from '../scheduler/scheduler.js';
import type { InvocationResult } from '../scheduler/invocation.js';
import { decodeRequest, encodeReply, type Reply } from './frame.js';
import { nodeInvokeSubject, WARM_QUEUE, warmSubject } from './subjects.js';

export interface ServingOptions {
  readonly nc: NatsConnection;
  readonly self: string;
  readonly scheduler: Scheduler;
  readonly registry: Registry;
  readonly log: (line: string) => void;
}

export function serveDispatch(o: ServingOptions): { close(): void } {
  const { nc, self, scheduler } = o;
  const warm = new Map<string, Subscription>();
  let closed = false;
  const reply = (to: string, r: Reply) => {
    try {
      nc.publish(to, encodeReply(r));
    } catch (err) {
      o.log(`lambkin: dispatch: cannot answer a request (${(err as Error).message})`);
    }
  };
  const follow = (to: string, running: Promise<InvocationResult>) => {
    reply(to, { t: 'accepted', node: self });
    running.then((result) => reply(to, { t: 'result', result }), (err: unknown) => reply(to, err instanceof Throttled
      ? { t: 'throttled', reason: err.reason, message: err.message }
      : { t: 'failed', message: (err as Error)?.message ?? String(err) }));
  };

  const onWarm = (msg: Msg) => {
    const req = decodeRequest(msg.data);
    if (!req || !msg.reply) return;
    const running = scheduler.invokeIdle(req.fn.name, req.fn.version, req.fn.revisionId, req.input);
    if (running) follow(msg.reply, running);
    else reply(msg.reply, { t: 'busy' });
  };

  scheduler.watchIdle((name, version, revisionId) => {
    const key = `${name}\0${version}`;
    const held = warm.get(key);
    const subject = revisionId && warmSubject(name, version, revisionId);
    if (held && held.getSubject() === subject) return;
    // Drained, not just unsubscribed: a request NATS routed here before it saw the UNSUB still
    // reaches the callback (and is answered, "busy" at worst) instead of being dropped unanswered.
    held?.drain().catch(() => undefined);
    warm.delete(key);
    if (subject && !closed && !nc.isClosed()) warm.set(key, nc.subscribe(subject, { queue: WARM_QUEUE, callback: (err, msg) => !err && onWarm(msg) }));
  });

  const placed = nc.subscribe(nodeInvokeSubject(self), {
    callback: (err, msg) => {
      if (err || !msg.reply) return;
      const req = decodeRequest(msg.data);
      if (!req) return;
      const fn = o.registry.resolve(req.fn.name, req.fn.version)?.record;
      // Not this revision here (a change not yet seen on one side): the requester runs it itself.
      if (!fn || fn.revisionId !== req.fn.revisionId) return reply(msg.reply, { t: 'busy' });
      follow(msg.reply, scheduler.invoke(fn, req.input));
    },
  });

  return {
    close: () => {
      closed = true;
      placed.unsubscribe();
      for (const sub of warm.values()) sub.unsubscribe();
      warm.clear();
    },
  };
}
