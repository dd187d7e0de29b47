// A function's configuration for the registry's tests: the defaults a CreateFunction applies
// (src/registry/defaults.ts, not restated here) for a Python function, with `over` on top.
import { defaultConfig } from '../../src/registry/defaults.js';
import type { FunctionConfig } from '../../src/registry/types.js';

export function functionConfig(name: string, over: Partial<FunctionConfig> = {}): FunctionConfig {
  return { ...defaultConfig(name, 'python3.12'), ...over };
}
