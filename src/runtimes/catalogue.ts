// The runtime catalogue: which runtime ids lambkin accepts, how to start each one's bootstrap,
// and how to tell whether the machine has what it needs. Environments ask here; nothing here
// knows about functions or sandboxes.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BOOTSTRAP_ROOT } from '../bootstrap-root.js';
import type { LaunchCommand, LaunchPaths, PrestartSupport } from '../launch.js';
import { PROVIDED } from './custom.js';
import { RUBY } from './ruby.js';
import { JAVA } from './java.js';
import { DOTNET } from './unavailable.js';

export { BOOTSTRAP_ROOT };
export type { LaunchCommand, LaunchPaths };

export type RuntimeFamily = 'nodejs' | 'python' | 'provided' | 'ruby' | 'java' | 'dotnet';

export interface RuntimeSpec {
  readonly ids: readonly string[];
  readonly family: RuntimeFamily;
  /** How people call it (`lambkin runtimes`). */
  readonly name: string;
  /** Set for runtimes known by name that this kind of machine cannot run: why, and what to do instead. */
  readonly unavailable?: string;
  /**
   * Checks the function's package on the host (its code folder) before anything starts: a sentence
   * saying what is wrong (the invoke fails with Runtime.InvalidEntrypoint), or undefined.
   */
  checkPackage?(codeDir: string): string | undefined;
  /**
   * Set when the bootstrap can be started ahead of its function (sandbox/prestart/pool.ts): it then
   * waits for its environment on stdin. startupVariables: the function variables the interpreter
   * reads as it starts, which a pre-started one would miss (such a function starts on its own).
   */
  readonly prestart?: PrestartSupport;
  /**
   * Set for lambkin's own bootstraps: they reach the Runtime API over the unix socket named by
   * _LAMBKIN_RUNTIME_API_SOCKET when the sandbox shows one (and drop the variable before user code
   * runs); AWS_LAMBDA_RUNTIME_API stays what every other runtime uses.
   */
  readonly directSocket?: boolean;
  /** What to run. The interpreter is a host path (sandboxes show it at the same path). */
  launch(paths: LaunchPaths): LaunchCommand;
  /** undefined when installed, else a sentence saying what to install. */
  missing(): string | undefined;
}

const resolved = new Map<string, string | undefined>();

/** Resolve an interpreter to its real binary once (python3 here is a pyenv shim costing ~70 ms). */
function realBinary(name: string, probe: string[]): string | undefined {
  if (resolved.has(name)) return resolved.get(name);
  let path: string | undefined;
  try {
    path = execFileSync(name, probe, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
    if (!path || !existsSync(path)) path = undefined;
  } catch {
    path = undefined;
  }
  resolved.set(name, path);
  return path;
}

const NODE: RuntimeSpec = {
  ids: ['nodejs18.x', 'nodejs20.x', 'nodejs22.x'],
  family: 'nodejs',
  name: 'Node.js',
  directSocket: true,
  prestart: { startupVariables: /^(NODE_|UV_)/ },
  launch: ({ runtimeDir, heapCapMb }) => ({
    command: process.execPath,
    args: [
      '--enable-source-maps',
      // As Lambda's own Node.js bootstrap does when it sizes the heap from the memory setting.
      ...(heapCapMb ? [`--max-old-space-size=${Math.max(16, Math.floor(heapCapMb * 0.9))}`] : []),
      join(runtimeDir, 'nodejs', 'bootstrap.js'),
    ],
    env: {},
  }),
  missing: () => undefined, // lambkin itself runs on node
};

const PYTHON: RuntimeSpec = {
  ids: ['python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13'],
  family: 'python',
  name: 'Python',
  directSocket: true,
  prestart: { startupVariables: /^PYTHON/ },
  launch: ({ runtimeDir }) => ({
    command: realBinary('python3', ['-c', 'import sys; print(sys.executable)']) ?? 'python3',
    // -S: no site module at start — it would run the host's .pth hooks (~60 ms here); the bootstrap
    // adds the interpreter's site-packages itself (no user site-packages, as -s did). -E is not
    // used so that PYTHONPATH-style settings of the function work.
    args: ['-S', join(runtimeDir, 'python', 'bootstrap.py')],
    env: { PYTHONDONTWRITEBYTECODE: '1' },
  }),
  missing: () =>
    realBinary('python3', ['-c', 'import sys; print(sys.executable)'])
      ? undefined
      : 'python3 is not installed: apt-get install -y python3',
};

export const RUNTIMES: readonly RuntimeSpec[] = [NODE, PYTHON, RUBY, JAVA, PROVIDED, DOTNET];

export const RUNTIME_IDS: readonly string[] = RUNTIMES.flatMap((r) => r.ids);

export function findRuntime(id: string): RuntimeSpec | undefined {
  return RUNTIMES.find((r) => r.ids.includes(id));
}
