// The registry's tests' fixtures. A function's configuration: the defaults a CreateFunction applies
// (src/registry/defaults.ts, not restated here) for a Python function, with `over` on top.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/registry/defaults.js';
import { Registry } from '../../src/registry/registry.js';
import type { FunctionConfig } from '../../src/registry/types.js';

export function functionConfig(name: string, over: Partial<FunctionConfig> = {}): FunctionConfig {
  return { ...defaultConfig(name, 'python3.12'), ...over };
}

/** A registry in a new temporary folder (SQLite), for one test. */
export async function openTempRegistry(prefix: string): Promise<{ dir: string; registry: Registry }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, registry: await Registry.open(dir) };
}

/** Close it and remove its folder. */
export async function closeTempRegistry(temp: { dir: string; registry: Registry }): Promise<void> {
  await temp.registry.close();
  rmSync(temp.dir, { recursive: true, force: true });
}
