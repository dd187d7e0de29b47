// cgroup v1: one folder per controller hierarchy (memory, pids, cpu, freezer), each at
// <mount>/lambkin/<server pid>/<env id>. The memory hierarchy is required; pids, cpu and freezer
// are used when mounted. Peak memory is memory.max_usage_in_bytes (reset by writing 0), OOM kills
// are the `oom_kill` count of memory.oom_control, freezing is freezer.state FROZEN/THAWED.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupLimits, CgroupMount, Cgroups, EnvCgroup } from './index.js';
import { cpuFraction, keyedValue } from './index.js';
import { CgroupFile, killAllIn, removeDir, writeControl } from './files.js';
import { sweepDeadServers, tryRmdir } from './sweep.js';
import { thawOnExit } from './thaw-guard.js';

export function openV1(mounts: readonly CgroupMount[], serverId: string): Cgroups {
  const v1 = mounts.filter((m) => m.version === 1);
  const memory = v1.find((m) => m.controllers.includes('memory'))!;
  const pids = v1.find((m) => m.controllers.includes('pids'));
  const cpu = v1.find((m) => m.controllers.includes('cpu'));
  const freezer = v1.find((m) => m.controllers.includes('freezer'));
  // The freezer's folders first: sweeping them (sweep.ts) thaws what a dead server left frozen,
  // so that its processes are gone by the time the other hierarchies' folders are removed.
  const frozenRoot = freezer && serverRoot(freezer.path, serverId);
  const roots = {
    memory: serverRoot(memory.path, serverId), pids: pids && serverRoot(pids.path, serverId),
    cpu: cpu && serverRoot(cpu.path, serverId), freezer: frozenRoot,
  };
  const guard = frozenRoot ? thawOnExit(frozenRoot, 'freezer.state', 'THAWED') : undefined;
  return {
    version: 1,
    where: roots.memory,
    create: async (envId, limits) => createV1(envId, limits, roots),
    close: () => {
      guard?.close();
      for (const root of [roots.memory, roots.pids, roots.cpu, roots.freezer]) if (root) tryRmdir(root);
    },
  };
}

function serverRoot(mount: string, serverId: string): string {
  const lambkin = join(mount, 'lambkin');
  try {
    mkdirSync(join(lambkin, serverId), { recursive: true });
  } catch (err) {
    throw new Error(`cannot create ${join(lambkin, serverId)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  sweepDeadServers(lambkin);
  return join(lambkin, serverId);
}

async function createV1(
  envId: string, limits: CgroupLimits, roots: { memory: string; pids?: string; cpu?: string; freezer?: string },
): Promise<EnvCgroup> {
  const mem = join(roots.memory, envId);
  const pids = roots.pids && join(roots.pids, envId);
  const cpu = roots.cpu && join(roots.cpu, envId);
  const frz = roots.freezer && join(roots.freezer, envId);
  const dirs = [mem, pids, cpu, frz].filter((d): d is string => d !== undefined);
  for (const dir of dirs) mkdirSync(dir);
  const memsw = existsSync(join(mem, 'memory.memsw.limit_in_bytes'));
  let memoryMb: number | undefined;
  const setLimits = (l: CgroupLimits) => {
    const bytes = String(l.memoryMb * 1024 * 1024);
    // Memory + swap at the same figure: the environment cannot swap its way past the limit. The
    // kernel wants memsw ≥ memory at every moment: raise memsw first, lower it last.
    const files = [join(mem, 'memory.limit_in_bytes'), ...(memsw ? [join(mem, 'memory.memsw.limit_in_bytes')] : [])];
    if (memoryMb !== undefined && l.memoryMb > memoryMb) files.reverse();
    for (const f of files) writeControl(f, bytes);
    memoryMb = l.memoryMb;
    if (pids) writeControl(join(pids, 'pids.max'), String(l.pids));
    if (cpu) writeControl(join(cpu, 'cpu.shares'), String(Math.max(2, Math.round(1024 * cpuFraction(l.memoryMb)))));
  };
  setLimits(limits);

  const usage = new CgroupFile(join(mem, 'memory.usage_in_bytes'));
  const peak = new CgroupFile(join(mem, 'memory.max_usage_in_bytes'), true);
  const oom = new CgroupFile(join(mem, 'memory.oom_control'));
  // Kept open: freezing and thawing happen around invocations, a path lookup each time is waste.
  const state = frz ? new CgroupFile(join(frz, 'freezer.state'), true) : undefined;
  const freeze = (frozen: boolean) => state?.write(frozen ? 'FROZEN' : 'THAWED') ?? false;
  const thaw = () => void freeze(false);
  const procs = join(mem, 'cgroup.procs');
  let removed: Promise<void> | undefined;
  return {
    procsFiles: dirs.map((d) => join(d, 'cgroup.procs')),
    setLimits,
    memory: () => {
      const current = usage.read();
      const max = peak.read();
      if (current === undefined || max === undefined) return undefined;
      return { currentBytes: Number(current), peakBytes: Number(max) };
    },
    peakBytes: () => {
      const max = peak.read();
      return max === undefined ? undefined : Number(max);
    },
    resetPeak: () => void peak.write('0'),
    oomKills: () => keyedValue(oom.read() ?? '', 'oom_kill'),
    freeze,
    killAll: () => killAllIn(procs, thaw),
    remove: () => (removed ??= (async () => {
      await killAllIn(procs, thaw);
      for (const f of [usage, peak, oom, state]) f?.close();
      for (const dir of dirs) await removeDir(dir);
    })()),
  };
}
