// Who has a live view open (a console tail, StartLiveTail) that wants the other nodes' lines
// (log-feed.ts): such a node says so on lambkin.logs.watching at once and every WATCH_EVERY_MS
// while it does, and "no more" when its last view closes. A node sends its lines over NATS while
// some node's word is fresher than WATCH_TTL_MS, so a node that vanished stops costing the others
// within a few seconds, and a node that joins hears the watchers within WATCH_EVERY_MS.
import type { NatsConnection } from 'nats';

export const WATCHING_SUBJECT = 'lambkin.logs.watching';
const WATCH_EVERY_MS = 1000;
const WATCH_TTL_MS = 3500;

export interface LogWatch {
  /** Some other node has a live view open: send it the lines. */
  watched(): boolean;
  /** This node has (true) or no longer has (false) a live view open. */
  setWatching(on: boolean): void;
  close(): void;
}

export function logWatch(connection: NatsConnection, self: string, now: () => number = Date.now): LogWatch {
  const watchers = new Map<string, number>(); // node → when its word goes stale
  const encoder = new TextEncoder();
  const say = (on: boolean) => {
    try {
      connection.publish(WATCHING_SUBJECT, encoder.encode(JSON.stringify({ from: self, on })));
    } catch {
      // NATS closed or away: the others hear it on the next round
    }
  };
  const sub = connection.subscribe(WATCHING_SUBJECT, {
    callback: (err, msg) => {
      if (err) return;
      let word: { from?: unknown; on?: unknown };
      try {
        word = msg.json();
      } catch {
        return;
      }
      if (typeof word.from !== 'string' || word.from === self) return;
      if (word.on === true) watchers.set(word.from, now() + WATCH_TTL_MS);
      else watchers.delete(word.from);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const setWatching = (on: boolean) => {
    if (on === (timer !== undefined)) return;
    if (on) {
      timer = setInterval(() => say(true), WATCH_EVERY_MS);
      timer.unref();
    } else {
      clearInterval(timer);
      timer = undefined;
    }
    say(on);
  };
  return {
    watched: () => {
      if (watchers.size === 0) return false;
      const t = now();
      for (const [node, until] of watchers) if (until < t) watchers.delete(node);
      return watchers.size > 0;
    },
    setWatching,
    close: () => {
      setWatching(false);
      sub.unsubscribe();
    },
  };
}
