// What an environment of a function asks of its sandbox: its limits, the runtime's own heap cap, and
// the pre-started sandbox that fits it (sandbox/prestart/pool.ts) — the same request whether a cold
// start takes one or a deploy asks for one to be ready.
import type { FunctionRecord } from '../registry/types.js';
import type { RuntimeSpec } from '../runtimes/catalogue.js';
import type { PrestartRequest, SandboxBackend, SandboxLimits } from '../sandbox/types.js';

export function limitsOf(fn: FunctionRecord): SandboxLimits {
  return { memoryMb: fn.config.memorySize, tmpMb: fn.config.ephemeralStorage, pids: 1024, egress: fn.config.egress };
}

/** Without a memory cgroup, the runtime's own heap limit is what holds the function to its memory. */
export function heapCapOf(backend: SandboxBackend, fn: FunctionRecord): number | undefined {
  return backend.enforcesMemory ? undefined : fn.config.memorySize;
}

export function prestartRequest(backend: SandboxBackend, runtime: RuntimeSpec, fn: FunctionRecord): PrestartRequest {
  return { runtime, limits: limitsOf(fn), heapCapMb: heapCapOf(backend, fn), functionEnv: fn.config.environment, layerDirs: fn.layerDirs };
}

/** `fn` was just deployed: have a pre-started sandbox ready for its first cold start. */
export function prepareSandbox(backend: SandboxBackend, runtime: RuntimeSpec, fn: FunctionRecord): void {
  backend.prestart?.prepare(prestartRequest(backend, runtime, fn));
}
