// Asking the other nodes of the cluster about what only one of them holds in memory (a Logs
// Insights query runs on the node that started it): a request on lambkin.peer.<name> that every
// other node receives; a node answers only when it has something to say. askOne takes the first
// answer, askAll waits for every other live node's (or the bound), so that any node can answer
// for the cluster. Used off the invoke path only; bounded in time by the caller's timeout.
import { createInbox, type NatsConnection } from 'nats';

export interface PeerCalls {
  /** Answer the other nodes' `name` requests: `handler` resolves with the answer, or undefined to stay silent. */
  serve(name: string, handler: (body: unknown) => Promise<unknown> | unknown): void;
  /** The first other node's answer, or undefined when none answered within `timeoutMs`. */
  askOne(name: string, body: unknown, timeoutMs?: number): Promise<unknown>;
  /** Every other live node's answer (fewer when some did not answer within `timeoutMs`). */
  askAll(name: string, body: unknown, timeoutMs?: number): Promise<unknown[]>;
  close(): void;
}

const subject = (name: string) => `lambkin.peer.${name}`;

export function peerCalls(connection: NatsConnection, self: string, others: () => number): PeerCalls {
  const encoder = new TextEncoder();
  const subscriptions: { unsubscribe(): void }[] = [];
  const gather = async (name: string, body: unknown, want: number, timeoutMs: number): Promise<unknown[]> => {
    const answers: unknown[] = [];
    if (want <= 0) return answers;
    const inbox = createInbox();
    let done!: () => void;
    const enough = new Promise<void>((resolve) => (done = resolve));
    const sub = connection.subscribe(inbox, {
      callback: (err, msg) => {
        if (err) return;
        try {
          answers.push((msg.json() as { answer: unknown }).answer);
        } catch {
          return;
        }
        if (answers.length >= want) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      connection.publish(subject(name), encoder.encode(JSON.stringify({ from: self, body })), { reply: inbox });
      await Promise.race([enough, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    } finally {
      clearTimeout(timer);
      sub.unsubscribe();
    }
    return answers;
  };
  return {
    serve: (name, handler) => {
      subscriptions.push(connection.subscribe(subject(name), {
        callback: (err, msg) => {
          if (err || !msg.reply) return;
          let request: { from?: unknown; body?: unknown };
          try {
            request = msg.json();
          } catch {
            return;
          }
          if (request.from === self) return;
          void Promise.resolve().then(() => handler(request.body)).then((answer) => {
            if (answer !== undefined) msg.respond(encoder.encode(JSON.stringify({ answer })));
          }, () => undefined);
        },
      }));
    },
    askOne: async (name, body, timeoutMs = 1000) => (await gather(name, body, 1, timeoutMs))[0],
    askAll: (name, body, timeoutMs = 1000) => gather(name, body, others(), timeoutMs),
    close: () => {
      for (const s of subscriptions) s.unsubscribe();
    },
  };
}
