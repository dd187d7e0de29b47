// cgroup v2 (unified hierarchy): one folder per environment at <mount>/lambkin/<server pid>/<env id>,
// with memory.max (+ memory.swap.max 0), pids.max and cpu.weight, frozen through cgroup.freeze
// (5.2+). Peak memory is memory.peak
// (Linux 5.19+; resettable per open file from 6.12 — before that it is the peak since start), OOM
// kills the `oom_kill` count of memory.events, and cgroup.kill (5.14+) kills everything at once.
// Not exercised on this project's own machines, which run v1.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupLimits, Cgroups, EnvCgroup } from './index.js';
import { cpuFraction, keyedValue } from './index.js';
import { CgroupFile, killAllIn, removeDir, writeControl } from './files.js';
import { sweepDeadServers, tryRmdir } from './sweep.js';
import { thawOnExit } from './thaw-guard.js';

const CONTROLLERS = ['memory', 'pids', 'cpu'];

export function openV2(mount: string, serverId: string): Cgroups {
  const lambkin = join(mount, 'lambkin');
  const root = join(lambkin, serverId);
  try {
    mkdirSync(root, { recursive: true });
    // Controllers must be enabled on every level above the environments' folders.
    for (const dir of [mount, lambkin, root]) enableControllers(dir);
  } catch (err) {
    throw new Error(`cannot set up ${root} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  sweepDeadServers(lambkin);
  const guard = thawOnExit(root, 'cgroup.freeze', '0');
  return {
    version: 2, where: root, create: async (envId, limits) => createV2(join(root, envId), limits),
    close: () => {
      guard.close();
      tryRmdir(root);
    },
  };
}

function enableControllers(dir: string): void {
  const available = readFileSync(join(dir, 'cgroup.controllers'), 'utf8').split(/\s+/);
  if (!available.includes('memory')) throw new Error(`the memory controller is not available in ${dir}`);
  const wanted = CONTROLLERS.filter((c) => available.includes(c));
  const enabled = readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
  const missing = wanted.filter((c) => !enabled.includes(c));
  if (missing.length) writeControl(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
}

async function createV2(dir: string, limits: CgroupLimits): Promise<EnvCgroup> {
  mkdirSync(dir);
  if (existsSync(join(dir, 'memory.swap.max'))) writeControl(join(dir, 'memory.swap.max'), '0');
  const setLimits = (l: CgroupLimits) => {
    writeControl(join(dir, 'memory.max'), String(l.memoryMb * 1024 * 1024));
    if (existsSync(join(dir, 'pids.max'))) writeControl(join(dir, 'pids.max'), String(l.pids));
    if (existsSync(join(dir, 'cpu.weight'))) {
      writeControl(join(dir, 'cpu.weight'), String(Math.max(1, Math.round(100 * cpuFraction(l.memoryMb)))));
    }
  };
  setLimits(limits);
  const current = new CgroupFile(join(dir, 'memory.current'));
  const peak = new CgroupFile(join(dir, 'memory.peak'), true);
  const events = new CgroupFile(join(dir, 'memory.events'));
  const procs = join(dir, 'cgroup.procs');
  const killFile = join(dir, 'cgroup.kill');
  const frozenFile = existsSync(join(dir, 'cgroup.freeze')) ? new CgroupFile(join(dir, 'cgroup.freeze'), true) : undefined;
  const freeze = (frozen: boolean) => frozenFile?.write(frozen ? '1' : '0') ?? false;
  const killAll = async () => {
    if (existsSync(killFile)) {
      try {
        writeControl(killFile, '1');
      } catch {
        // fall through to the loop
      }
    }
    // v2 kills frozen processes, but the cgroup would stay frozen for anything that joins it.
    await killAllIn(procs, () => void freeze(false));
  };
  let removed: Promise<void> | undefined;
  return {
    procsFiles: [procs],
    setLimits,
    memory: () => {
      const now = current.read();
      if (now === undefined) return undefined;
      const max = peak.read();
      return { currentBytes: Number(now), peakBytes: Number(max ?? now) };
    },
    peakBytes: () => {
      const max = peak.read(); // memory.peak is absent on older kernels: usage stands for it then, as in memory()
      if (max !== undefined) return Number(max);
      const now = current.read();
      return now === undefined ? undefined : Number(now);
    },
    resetPeak: () => void peak.write('reset'),
    oomKills: () => keyedValue(events.read() ?? '', 'oom_kill'),
    freeze,
    killAll,
    remove: () => (removed ??= (async () => {
      await killAll();
      for (const f of [current, peak, events, frozenFile]) f?.close();
      await removeDir(dir);
    })()),
  };
}
