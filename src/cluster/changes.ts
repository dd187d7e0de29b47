// Changes reach every node (docs/cluster.md, "Changes"). After a change to a function, a version,
// an alias, a setting or a layer has committed in PostgreSQL, the node that made it publishes a
// notice on lambkin.changes and waits for every live node (itself included) to confirm it has
// reloaded its registry cache and retired the environments that run superseded code; only then
// does the API call answer. A node confirms after a reload that *started after* the notice
// arrived, so it holds at least the committed state. Reloads run one at a time; notices that
// arrive during one are served together by the next.
//
// A node that lost NATS may have missed notices: from the loss until a reload after its return,
// it is not ready (the API answers 503), as it is at start until its first reload.
import { createInbox } from 'nats';
import type { Registry } from '../registry/registry.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { Membership } from './membership.js';
import type { NatsLink } from './nats.js';

export const CHANGES_SUBJECT = 'lambkin.changes';
/** How long a change waits for the other nodes' confirmations before it answers anyway (and logs who did not). */
export const CONFIRM_TIMEOUT_MS = 2000;
/** A reload that failed (the database away) is tried again this often. */
const RETRY_MS = 500;

export interface Changes {
  /** Tell every node that `what` changed; resolves once all live nodes confirmed, or after CONFIRM_TIMEOUT_MS. */
  announce(what: string): Promise<void>;
  /** false while this node may hold a stale registry: at start, and after a NATS loss or a failed reload, until a reload succeeds. */
  ready(): boolean;
  /** Resolves after the first reload (the server listens only then). */
  readonly started: Promise<void>;
  close(): Promise<void>;
}

export interface ChangesOptions {
  readonly nats: NatsLink;
  readonly membership: Membership;
  readonly registry: Registry;
  readonly scheduler: Scheduler;
  readonly log: (line: string) => void;
  readonly confirmTimeoutMs?: number;
}

export function startChanges(o: ChangesOptions): Changes {
  const connection = o.nats.connection;
  const encoder = new TextEncoder();
  let stale = true;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const run = async (): Promise<void> => {
    try {
      const gone = await o.registry.reload();
      for (const g of gone) o.scheduler.retire(g.name, g.version);
      stale = false;
    } catch (err) {
      if (!stale) o.log(`lambkin: cluster: could not reload functions after a change (${(err as Error).message}); API calls answer 503 until a reload succeeds`);
      stale = true;
      if (!closed) retry ??= setTimeout(() => {
        retry = undefined;
        reloadAfterNow().catch(() => undefined); // failed again: run() set the next try
      }, RETRY_MS);
      throw err;
    }
  };
  // One reload at a time; a call during one is served by the next (which starts after it returns).
  let current: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const reloadAfterNow = (): Promise<void> => {
    if (!current) {
      current = run().finally(() => (current = undefined));
      return current;
    }
    next ??= current.catch(() => undefined).then(() => {
      next = undefined;
      return reloadAfterNow();
    });
    return next;
  };

  const sub = connection.subscribe(CHANGES_SUBJECT, {
    callback: (err, msg) => {
      if (err) return;
      reloadAfterNow().then(() => msg.respond(encoder.encode(o.membership.self)), () => undefined);
    },
  });
  o.nats.onStatus((up) => {
    if (!up) stale = true;
    else void reloadAfterNow().catch(() => undefined); // notices sent meanwhile were missed
  });
  const started = reloadAfterNow().catch(() => undefined);

  return {
    started,
    ready: () => !stale,
    announce: async (what) => {
      const waiting = new Set(o.membership.live().map((n) => n.id));
      const inbox = createInbox();
      let done!: () => void;
      const confirmed = new Promise<void>((resolve) => (done = resolve));
      const replies = connection.subscribe(inbox, {
        callback: (err, msg) => {
          if (err) return;
          waiting.delete(msg.string());
          if (waiting.size === 0) done();
        },
      });
      // A node that leaves meanwhile will not confirm; the others need not wait for it.
      const unwatch = o.membership.onLeft((id) => {
        waiting.delete(id);
        if (waiting.size === 0) done();
      });
      const timeoutMs = o.confirmTimeoutMs ?? CONFIRM_TIMEOUT_MS;
      let timer: NodeJS.Timeout | undefined;
      try {
        connection.publish(CHANGES_SUBJECT, encoder.encode(JSON.stringify({ from: o.membership.self, what })), { reply: inbox });
        await Promise.race([confirmed, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      } finally {
        clearTimeout(timer);
        unwatch();
        replies.unsubscribe();
      }
      if (waiting.size > 0) o.log(`lambkin: cluster: ${what}: not confirmed within ${timeoutMs} ms by ${[...waiting].join(', ')}`);
    },
    close: async () => {
      closed = true;
      clearTimeout(retry);
      sub.unsubscribe();
      await current?.catch(() => undefined);
    },
  };
}
