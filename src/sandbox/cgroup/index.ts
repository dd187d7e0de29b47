// Per-environment cgroups: the hard memory limit, the process limit (fork bombs stop at it), CPU
// shares, the peak memory of each invocation, OOM kills, the freezer (an idle environment gets no
// CPU), and a kill that reaches every process an environment started, wherever it went (a
// detached grandchild included). Both sandbox backends
// use them when the machine lets lambkin create cgroups (root, or a delegated subtree).
import { readFileSync } from 'node:fs';
import type { MemoryUse } from '../types.js';
import { openV1 } from './v1.js';
import { openV2 } from './v2.js';

export interface CgroupLimits {
  readonly memoryMb: number;
  readonly pids: number;
}

/** One environment's cgroup (one folder per controller hierarchy on v1, one folder on v2). */
export interface EnvCgroup {
  /** cgroup.procs files: a process writes its pid to each to join, before it execs the runtime. */
  readonly procsFiles: readonly string[];
  /**
   * Change the limits of a live cgroup (a pre-started sandbox taking on a function's memory size).
   * Throws when the kernel refuses, e.g. a memory limit below what is in use.
   */
  setLimits(limits: CgroupLimits): void;
  memory(): MemoryUse | undefined;
  /** memory()'s peakBytes, from one file read. */
  peakBytes(): number | undefined;
  resetPeak(): void;
  /** How many processes the memory limit has killed in this cgroup so far. */
  oomKills(): number;
  /**
   * Freeze (true) or thaw (false) every process in the cgroup: a frozen process gets no CPU at all
   * until thawed. False when the machine has no freezer (v1 without a freezer hierarchy).
   */
  freeze(frozen: boolean): boolean;
  /** SIGKILL every process in the cgroup (thawing it: a frozen process cannot die), again until none is left. */
  killAll(): Promise<void>;
  /** killAll(), then delete the cgroup. Idempotent. */
  remove(): Promise<void>;
}

export interface Cgroups {
  readonly version: 1 | 2;
  /** Where this server's environments' cgroups go, for messages (e.g. /sys/fs/cgroup/memory/lambkin/123). */
  readonly where: string;
  create(envId: string, limits: CgroupLimits): Promise<EnvCgroup>;
  /** Remove this server's folder (at shutdown, once every environment's cgroup is gone). */
  close(): void;
}

export type CgroupDetection = { readonly cgroups: Cgroups } | { readonly problem: string };

export interface CgroupMount {
  readonly path: string;
  readonly version: 1 | 2;
  /** v1: the controllers of this hierarchy (memory, pids, cpu, …). */
  readonly controllers: readonly string[];
}

/** cgroup mounts from /proc/self/mountinfo. */
export function cgroupMounts(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    // id parent maj:min root mountpoint options [optional…] - fstype source superoptions
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const [fstype, , superOptions = ''] = line.slice(sep + 3).split(' ');
    const path = unescapeMount(left[4] ?? '');
    if (fstype === 'cgroup2') mounts.push({ path, version: 2, controllers: [] });
    else if (fstype === 'cgroup') mounts.push({ path, version: 1, controllers: superOptions.split(',') });
  }
  return mounts;
}

function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Find the cgroup hierarchy lambkin can use, and make this server's folder in it. v1 (a memory
 * hierarchy of its own, as on this project's machines) wins over a v2 mount without the memory
 * controller (hybrid systems). Never throws: what went wrong comes back as `problem`.
 */
export function detectCgroups(serverId = String(process.pid)): CgroupDetection {
  let mounts: CgroupMount[];
  try {
    mounts = cgroupMounts();
  } catch (err) {
    return { problem: `cannot read /proc/self/mountinfo (${(err as Error).message})` };
  }
  const v1Memory = mounts.find((m) => m.version === 1 && m.controllers.includes('memory'));
  try {
    if (v1Memory) return { cgroups: openV1(mounts, serverId) };
    const v2 = mounts.find((m) => m.version === 2);
    if (v2) return { cgroups: openV2(v2.path, serverId) };
    return { problem: 'no cgroup filesystem with the memory controller is mounted' };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

/** One line `key value` of a flat-keyed cgroup file (memory.oom_control, memory.events). */
export function keyedValue(text: string, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Memory as Lambda bills it (MB), to the CPU weight Lambda gives it: 1,769 MB = one full vCPU. */
export function cpuFraction(memoryMb: number): number {
  return Math.min(6, memoryMb / 1769);
}
