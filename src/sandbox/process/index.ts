// The `process` backend: a plain child process in its own process group, in a private folder
// holding a private copy of the code and a private scratch folder. With cgroups it gets the
// memory and process limits and a kill that reaches every descendant; it isolates nothing else:
// the process sees the host's files, processes and network as the server's user does. Weaker than
// `namespace`; for machines without bubblewrap (docs/design.md, "Threat containment").
import { cp, mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { LaunchSpec, SandboxBackend, SandboxLayout, SandboxLimits, SandboxProcess } from '../types.js';
import type { Cgroups, EnvCgroup } from '../cgroup/index.js';
import { launcher, spawnChild, wrapChild } from '../child.js';
import { BOOTSTRAP_ROOT } from '../../bootstrap-root.js';
import { mergedOpt } from '../opt-merge.js';

export class ProcessBackend implements SandboxBackend {
  readonly name = 'process';
  readonly enforcesMemory: boolean;
  private readonly cgroupOf = new WeakMap<SandboxLayout, EnvCgroup>();

  constructor(private readonly runDir: string, private readonly cgroups?: Cgroups) {
    this.enforcesMemory = cgroups !== undefined;
  }

  async prepare(envId: string, codeDir: string | undefined, limits: SandboxLimits, layerDirs: readonly string[] = []): Promise<SandboxLayout> {
    const workDir = join(this.runDir, envId);
    const taskRoot = join(workDir, 'task');
    const tmpDir = join(workDir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    if (codeDir) await cp(codeDir, taskRoot, { recursive: true, verbatimSymlinks: true });
    else await mkdir(taskRoot);
    // No mount here: the runtime finds the merged layers at their host path (env-vars.ts points at it).
    let optDir = layerDirs.length > 0 ? await mergedOpt(join(this.runDir, 'opt'), layerDirs, false) : undefined;
    if (!codeDir) {
      // Pre-started: a folder of its own, which fillOpt() fills if its function has layers.
      optDir = join(workDir, 'opt');
      await mkdir(optDir);
    }
    const layout: SandboxLayout = {
      optDir,
      workDir,
      taskRoot,
      hostTaskRoot: taskRoot,
      tmpDir,
      runtimeDir: BOOTSTRAP_ROOT,
      listen: { host: '127.0.0.1', port: 0 },
      runtimeApiAddress: (bound) =>
        typeof bound === 'string' ? bound : `${bound.address}:${bound.port}`,
    };
    if (this.cgroups) this.cgroupOf.set(layout, await this.cgroups.create(envId, limits));
    return layout;
  }

  start(layout: SandboxLayout, spec: LaunchSpec): SandboxProcess {
    const cgroup = this.cgroupOf.get(layout);
    const run = launcher(cgroup?.procsFiles ?? [], spec.command, spec.args, spec.env);
    const child = spawnChild('the runtime process', run.command, run.args, {
      cwd: layout.taskRoot,
      env: spec.env,
      stdio: [spec.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
      detached: true, // own process group: kill() takes its children with it even without a cgroup
    });
    return wrapChild(child, { cgroup });
  }

  /** A copy, never links: the process runs as the server's user and could write through them. */
  async fillCode(layout: SandboxLayout, codeDir: string): Promise<void> {
    await cp(codeDir, layout.hostTaskRoot, { recursive: true, verbatimSymlinks: true });
  }

  /**
   * The pre-started runtime's opt folder becomes a link to the merged copy every environment of
   * these layers shares (as a normal start points at it): nothing to copy on the cold start.
   */
  async fillOpt(layout: SandboxLayout, layerDirs: readonly string[]): Promise<void> {
    const merged = await mergedOpt(join(this.runDir, 'opt'), layerDirs, false);
    await rm(layout.optDir!, { recursive: true, force: true });
    await symlink(merged, layout.optDir!);
  }

  resize(layout: SandboxLayout, limits: SandboxLimits): void {
    this.cgroupOf.get(layout)?.setLimits(limits);
  }

  async cleanup(layout: SandboxLayout): Promise<void> {
    await this.cgroupOf.get(layout)?.remove().catch(() => undefined);
    await rm(layout.workDir, { recursive: true, force: true });
  }
}
