// Where an invocation runs. The one invoke path (api/invoke-path.ts) hands every synchronous
// invocation to a Dispatcher: on a single node that is the Scheduler itself (this machine's
// environments, no indirection); on a cluster node it is cluster/dispatcher.ts, which picks the
// node with a warm environment, or one with room for a new one (docs/cluster.md, "Dispatch").
import type { FunctionRecord } from '../registry/types.js';
import type { InvocationInput, InvocationResult } from './invocation.js';

export interface Dispatcher {
  /**
   * Run one invocation of `fn` under its reserved concurrency `reserved` (undefined: none).
   * Rejects with Throttled past a limit; function failures are results, not rejections.
   */
  invoke(fn: FunctionRecord, input: InvocationInput, reserved?: number): Promise<InvocationResult>;
}
