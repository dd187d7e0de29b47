// What a server holds, counted from outside: its file descriptors, the processes under it, its
// environments' cgroups, mounts, and folders in its run directory and in /tmp. Taken before and
// after the soak (each time with every environment stopped), the difference is what leaked. The
// pre-started spare sandboxes (src/sandbox/prestart) are counted apart: how many are kept follows
// recent demand (up to 4 per runtime shape), so they differ between two moments by design. What
// belongs to one — its processes, its cgroup folders and run folder (named by its id), the server's
// pipes and sockets to it — is told by its id and by the pipe and socket inodes it shares.
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { descendants, spares } from '../lib/proc.js';

export function census(pid, dataDir) {
  const spare = spares(pid);
  const spareIds = new Set();
  const spareInodes = new Set();
  for (const p of spare) {
    const id = /\/lambkin\/\d+\/([0-9a-f]{32})/.exec(safe(() => readFileSync(`/proc/${p}/cgroup`, 'utf8'), ''))?.[1];
    if (id) spareIds.add(id);
    for (const link of links(p)) spareInodes.add(link);
  }
  const unixPaths = unixSocketPaths();
  const ofSpare = (link) => spareInodes.has(link) || [...spareIds].some((id) => unixPaths.get(link)?.includes(id));
  return {
    spares: spareIds.size,
    fds: count(() => links(pid, true).filter((l) => !ofSpare(l)).length),
    processes: descendants(pid).filter((p) => !spare.has(p)).length,
    cgroups: cgroupFolders(pid, spareIds),
    mounts: count(() => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).length),
    runEntries: count(() => readdirSync(join(dataDir, 'run')).filter((n) => !spareIds.has(n)).length),
    tmpEntries: count(() => readdirSync('/tmp').length),
  };
}

/** The targets of a process's fds (`pipe:[123]`, `socket:[456]`, paths); `all` keeps every one, else pipes and sockets. */
function links(pid, all = false) {
  const out = [];
  for (const fd of safe(() => readdirSync(`/proc/${pid}/fd`), [])) {
    const l = safe(() => readlinkSync(`/proc/${pid}/fd/${fd}`), undefined);
    if (l !== undefined && (all || /^(pipe|socket):/.test(l))) out.push(l);
  }
  return out;
}

/** `socket:[inode]` → the path of a bound unix socket, from /proc/net/unix. */
function unixSocketPaths() {
  const map = new Map();
  for (const line of safe(() => readFileSync('/proc/net/unix', 'utf8'), '').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8) map.set(`socket:[${f[6]}]`, f[7]);
  }
  return map;
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

/** Folders under every controller's lambkin/<server pid> hierarchy: its environments' cgroups (not `except`'s). */
export function cgroupFolders(pid, except = new Set()) {
  let n = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || except.has(basename(e.name))) continue;
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
