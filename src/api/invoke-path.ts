// The one path from "a request to run this function" to the scheduler, shared by every front door
// of the API: Invoke, InvokeWithResponseStream and function URLs (buffered and streamed). Each door
// parses its own request and answers in its own style; what a function must pass to run — its
// runtime installed here — and the concurrency it runs under are decided here, once. (The async
// worker, in scheduler/, runs events Invoke accepted after this same check; a runtime removed since
// fails their attempts as an init failure, retried and sent to the failure destination.)
import { apiError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { FunctionRecord } from '../registry/types.js';
import type { InvocationInput, InvocationResult } from '../scheduler/invocation.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { Dispatcher } from '../scheduler/dispatcher.js';

export interface InvokePath {
  readonly registry: Registry;
  readonly scheduler: Scheduler;
  /** Where invocations run: the scheduler itself when left out (a single node); a cluster node's dispatcher. */
  readonly dispatcher?: Dispatcher;
}

/** Refuses a function whose runtime is not installed here: InvalidRuntimeException saying what to install. */
export function checkRunnable(path: InvokePath, fn: FunctionRecord): void {
  const missing = path.scheduler.runtimeMissing(fn);
  if (missing) throw apiError('InvalidRuntimeException', `The runtime ${fn.config.runtime} of ${fn.config.name} is not installed here: ${missing}`);
}

/**
 * Runs `fn` once: checkRunnable, then the dispatcher (a single node: the scheduler) under the
 * function's reserved concurrency.
 * Rejects with the ApiError of checkRunnable, or Throttled (each door answers it in its style).
 */
export function runFunction(path: InvokePath, fn: FunctionRecord, input: InvocationInput): Promise<InvocationResult> {
  checkRunnable(path, fn);
  return (path.dispatcher ?? path.scheduler).invoke(fn, input, path.registry.get(fn.config.name)?.reservedConcurrency);
}
