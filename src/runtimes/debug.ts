// A debug environment's runtime: the same launch with the runtime's own debugger listening on
// 127.0.0.1 (inside the sandbox's network when it has one; the host side is environment/debug-relay.ts).
// Node.js: its inspector (Chrome DevTools Protocol). Python: debugpy (Debug Adapter Protocol), when
// the function's Python can import it. Java: JDWP. Nothing else has a debugger here.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LaunchCommand, RuntimeSpec } from './catalogue.js';

export type DebugProtocol = 'inspector' | 'debugpy' | 'jdwp';

export interface DebugKind {
  readonly protocol: DebugProtocol;
  /** The port each debugger is known for: used inside the sandbox, and on the host when free. */
  readonly port: number;
  /** What a user attaches with, for the CLI's message. */
  readonly attach: string;
}

const KINDS: Partial<Record<RuntimeSpec['family'], DebugKind>> = {
  nodejs: { protocol: 'inspector', port: 9229, attach: 'Chrome DevTools (chrome://inspect) or VS Code ("type": "node", "request": "attach")' },
  python: { protocol: 'debugpy', port: 5678, attach: 'VS Code ("type": "debugpy", "request": "attach") or any Debug Adapter Protocol client' },
  java: { protocol: 'jdwp', port: 5005, attach: 'jdb -attach 127.0.0.1:PORT, IntelliJ or VS Code ("type": "java", "request": "attach")' },
};

export function debugKind(runtime: RuntimeSpec): DebugKind | undefined {
  return KINDS[runtime.family];
}

const importable = new Map<string, boolean>();

/**
 * Why a debug environment of this function cannot start (a sentence saying what to do), or
 * undefined. codeDir is the function's code on the host: a debugpy packaged with it counts.
 */
export function debugProblem(runtime: RuntimeSpec, codeDir: string): string | undefined {
  const kind = debugKind(runtime);
  if (!kind) return `${runtime.name} functions have no debugger in lambkin: debugging works for Node.js (inspector), Python (debugpy) and Java (JDWP).`;
  if (kind.protocol !== 'debugpy' || existsSync(join(codeDir, 'debugpy'))) return undefined;
  const python = runtime.launch({ taskRoot: codeDir, runtimeDir: '' }).command;
  if (!importable.has(python)) {
    let ok = false;
    try {
      execFileSync(python, ['-c', 'import debugpy'], { stdio: 'ignore', timeout: 10_000 });
      ok = true;
    } catch {
      ok = false;
    }
    importable.set(python, ok);
  }
  if (importable.get(python)) return undefined;
  return `debugpy is not installed for the functions' Python (${python}). Install it for that Python ` +
    `(Debian's own /usr/bin/python3: apt-get install -y python3-debugpy; another: ${python} -m pip install debugpy), ` +
    `or package it with the function (pip install debugpy -t . next to the handler, then deploy).`;
}

/** The launch of a debug environment: the runtime's debugger on 127.0.0.1:port. */
export function debugLaunch(runtime: RuntimeSpec, launch: LaunchCommand, port: number): LaunchCommand {
  const at = `127.0.0.1:${port}`;
  switch (debugKind(runtime)?.protocol) {
    case 'inspector':
      return { ...launch, args: [`--inspect=${at}`, ...launch.args] };
    case 'debugpy':
      // Without -S: a debugpy installed in the interpreter's site-packages must be importable.
      return { ...launch, args: ['-m', 'debugpy', '--listen', at, ...launch.args.filter((a) => a !== '-S')] };
    case 'jdwp':
      return { ...launch, args: [`-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=${at}`, ...launch.args] };
    default:
      return launch;
  }
}
