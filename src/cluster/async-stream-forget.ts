// A deleted function's consumer and queued events leave the async stream (docs/cluster.md,
// "Async"): Lambda discards the queued events of a deleted function, and a consumer left behind
// would cost every node a waiting pull forever. Run on the node whose DeleteFunction committed
// (registry.onDeleted fires there only, so once in the cluster), and once more AGAIN_MS later for
// events that nodes which had not yet taken the delete in accepted meanwhile.
//
// Races with a function recreated under the same name: each pass reads the stream's last
// sequence *before* it asks the database whether a function of that name exists again. When one
// does, the pass removes nothing (the consumer and events are the new function's). When none does,
// whatever a new one publishes later comes after that sequence, so purging up to it never takes a
// new function's event; and should the consumer be removed just as the function is recreated, the
// check after the removal makes it again. Every step is idempotent: two passes, or a consumer
// removed already, are harmless.
import type { JetStreamManager } from 'nats';
import { consumerOf, functionSubjects, type StreamNames } from './async-stream-wire.js';
import type { FunctionPulls } from './async-stream-pull.js';

/** Longer than a change takes to reach every node (its writer waits at most 2 s). */
export const AGAIN_MS = 5_000;

export interface ForgetDeps {
  readonly jsm: JetStreamManager;
  readonly names: StreamNames;
  readonly pulls: FunctionPulls;
  readonly log: (line: string) => void;
  readonly closed: () => boolean;
  /** Make (or find) the function's consumer, and have every node pull from it. */
  ensure(functionName: string): Promise<void>;
  /** Resolves when the queue closes. */
  readonly closing: Promise<void>;
}

export async function forgetFunction(d: ForgetDeps, functionName: string, recreated: () => Promise<boolean>): Promise<void> {
  await pass(d, functionName, recreated);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, AGAIN_MS))), d.closing]);
  clearTimeout(timer);
  await pass(d, functionName, recreated);
}

async function pass(d: ForgetDeps, functionName: string, recreated: () => Promise<boolean>): Promise<void> {
  if (d.closed()) return;
  const last = (await d.jsm.streams.info(d.names.stream)).state.last_seq;
  if (await recreated()) return;
  const { purged } = await d.jsm.streams.purge(d.names.stream, { filter: functionSubjects(d.names, functionName), seq: last + 1 });
  const consumer = consumerOf(d.names, functionName);
  const removed = await d.jsm.consumers.delete(d.names.stream, consumer).catch(consumerMissing);
  await d.pulls.removed(consumer);
  if (removed || purged > 0) {
    d.log(`lambkin: async stream: ${functionName} was deleted: ${removed ? `its consumer ${consumer} and ` : ''}${purged} queued event(s) removed`);
  }
  if (await recreated()) await d.ensure(functionName);
}

/** Removing a consumer that is gone already (another pass, another node) answers false; other failures go on. */
function consumerMissing(err: unknown): false {
  const code = (err as { api_error?: { err_code?: number } })?.api_error?.err_code;
  if (code === 10014 || /consumer not found/i.test((err as Error)?.message ?? '')) return false;
  throw err;
}
