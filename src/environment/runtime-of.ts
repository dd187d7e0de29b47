// Which runtime a function's environment runs, from the catalogue. The scheduler asks before it
// creates an environment (and when Invoke asks whether the runtime is installed here): it reaches
// the catalogue through the layer that runs runtimes, as the dependency graph has it.
import type { FunctionRecord } from '../registry/types.js';
import { findRuntime, type RuntimeSpec } from '../runtimes/catalogue.js';

export function runtimeOf(fn: FunctionRecord): RuntimeSpec | undefined {
  return findRuntime(fn.config.runtime);
}
