// What a server holds, counted from outside: its file descriptors, the processes under it, its
// environments' cgroups, mounts, and folders in its run directory and in /tmp. Taken before and
// after the soak (each time with every environment stopped), the difference is what leaked.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { descendants } from '../lib/proc.js';

export function census(pid, dataDir) {
  return {
    fds: count(() => readdirSync(`/proc/${pid}/fd`).length),
    processes: descendants(pid).length,
    cgroups: cgroupFolders(pid),
    mounts: count(() => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).length),
    runEntries: count(() => readdirSync(join(dataDir, 'run')).length),
    tmpEntries: count(() => readdirSync('/tmp').length),
  };
}

/** Resident memory of one process in MB (VmRSS). */
export function rssMb(pid) {
  const m = /^VmRSS:\s+(\d+)/m.exec(safe(() => readFileSync(`/proc/${pid}/status`, 'utf8'), ''));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Whether the process still exists (and is not a zombie). */
export function alive(pid) {
  return /^State:\s+[^Z]/m.test(safe(() => readFileSync(`/proc/${pid}/status`, 'utf8'), ''));
}

/** Folders under every controller's lambkin/<server pid> hierarchy: its environments' cgroups. */
export function cgroupFolders(pid) {
  let n = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      n++;
      walk(join(dir, e.name));
    }
  };
  for (const controller of safe(() => readdirSync('/sys/fs/cgroup'), [])) {
    const root = join('/sys/fs/cgroup', controller, 'lambkin', String(pid));
    if (existsSync(root) && statSync(root).isDirectory()) walk(root);
  }
  return n;
}

/** Processes anywhere on the machine that still sit in one of the server's cgroups (after it is gone). */
export function strayProcesses(pid) {
  let n = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    if (safe(() => readFileSync(`/proc/${d}/cgroup`, 'utf8'), '').includes(`/lambkin/${pid}/`)) n++;
  }
  return n;
}

function count(f) {
  return safe(f, -1);
}

function safe(f, fallback) {
  try {
    return f();
  } catch {
    return fallback;
  }
}
