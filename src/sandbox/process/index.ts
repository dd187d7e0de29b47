// The `process` backend: a plain child process in its own process group, in a private folder
// holding a private copy of the code and a private scratch folder. It isolates nothing else: the
// process sees the host's files and network as the server's user does. Weaker than `namespace`;
// for machines without user namespaces (docs/design.md, "Threat containment").
import { spawn } from 'node:child_process';
import { cp, mkdir, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ExitInfo, LaunchSpec, MemoryUse, SandboxBackend, SandboxLayout, SandboxLimits, SandboxProcess,
} from '../types.js';
import { BOOTSTRAP_ROOT } from '../../runtimes/catalogue.js';

export class ProcessBackend implements SandboxBackend {
  readonly name = 'process';

  constructor(private readonly runDir: string) {}

  async prepare(envId: string, codeDir: string, _limits: SandboxLimits): Promise<SandboxLayout> {
    const workDir = join(this.runDir, envId);
    const taskRoot = join(workDir, 'task');
    const tmpDir = join(workDir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    await cp(codeDir, taskRoot, { recursive: true, verbatimSymlinks: true });
    return {
      workDir,
      taskRoot,
      tmpDir,
      runtimeDir: BOOTSTRAP_ROOT,
      listen: { host: '127.0.0.1', port: 0 },
      runtimeApiAddress: (bound) =>
        typeof bound === 'string' ? bound : `${bound.address}:${bound.port}`,
    };
  }

  start(layout: SandboxLayout, spec: LaunchSpec): SandboxProcess {
    const child = spawn(spec.command, spec.args, {
      cwd: layout.taskRoot,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true, // own process group: kill() takes its children with it
    });
    const exited = new Promise<ExitInfo>((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (done) return;
        done = true;
        resolve({ code, signal, oomKilled: false });
      };
      child.once('exit', finish);
      // spawn failures (ENOENT, EACCES) arrive as 'error' without 'exit'
      child.once('error', () => finish(127, null));
    });
    const pid = child.pid ?? -1;
    let killed = false;
    return {
      pid,
      stdout: child.stdout!,
      stderr: child.stderr!,
      telemetry: child.stdio[3] as NodeJS.ReadableStream as SandboxProcess['telemetry'],
      exited,
      kill: () => {
        if (killed || pid < 0) return;
        killed = true;
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      },
      memory: () => readStatusMemory(pid),
      resetPeak: () => {
        // VmHWM cannot be reset per process without privileges; cgroups (namespace backend) can.
      },
    };
  }

  async cleanup(layout: SandboxLayout): Promise<void> {
    await rm(layout.workDir, { recursive: true, force: true });
  }
}

/** VmRSS / VmHWM of one process from /proc (the main runtime process; children not counted). */
export function readStatusMemory(pid: number): MemoryUse | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const kb = (key: string) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) * 1024 : 0;
    };
    return { currentBytes: kb('VmRSS'), peakBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}
