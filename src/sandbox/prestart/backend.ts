// A sandbox backend with a pre-start pool: any backend, wrapped. Every SandboxBackend call passes
// through to the backend unchanged (the wrapper has exactly the optional methods the backend has),
// and `prestart` is the pool that starts spares with that same backend — so a pre-started sandbox
// is the backend's own, and the conformance suite runs against the wrapped backend as against the
// plain one (test/conformance/sandbox-*.test.ts).
import type { SandboxBackend } from '../types.js';
import { PrestartPool, type PrestartOptions } from './pool.js';

export interface PrestartingBackend extends SandboxBackend {
  readonly prestart: PrestartPool;
  /** Kill every waiting spare and remove its folders (the backend's own resources are its owner's). */
  close(): Promise<void>;
}

export function withPrestart(backend: SandboxBackend, opts: Partial<PrestartOptions> = {}): PrestartingBackend {
  const pool = new PrestartPool(backend, opts);
  const b = backend;
  return {
    name: b.name,
    enforcesMemory: b.enforcesMemory,
    runsExtensions: b.runsExtensions,
    prepare: (envId, codeDir, limits, layerDirs) => b.prepare(envId, codeDir, limits, layerDirs),
    start: (layout, spec) => b.start(layout, spec),
    cleanup: (layout) => b.cleanup(layout),
    fillCode: b.fillCode && ((layout, codeDir) => b.fillCode!(layout, codeDir)),
    fillOpt: b.fillOpt && ((layout, layerDirs) => b.fillOpt!(layout, layerDirs)),
    resize: b.resize && ((layout, limits) => b.resize!(layout, limits)),
    listening: b.listening && ((layout) => b.listening!(layout)),
    connectInside: b.connectInside && ((layout, port) => b.connectInside!(layout, port)),
    prestart: pool,
    close: () => pool.close(),
  };
}
