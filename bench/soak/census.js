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

export function census(pid, dataDir, port) {
  const spare = spares(pid);
  // Clients' connections to the API port are theirs to keep or close (the cap bounds them): counted apart.
  const clientSockets = tcpConnections(port);
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
    connections: count(() => links(pid).filter((l) => clientSockets.has(l)).length),
    fds: count(() => links(pid, true).filter((l) => !ofSpare(l) && !clientSockets.has(l)).length),
    processes: descendants(pid).filter((p) => !spare.has(p)).length,
    cgroups: cgroupFolders(pid, spareIds),
    mounts: count(() => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).length),
    runEntries: count(() => readdirSync(join(dataDir, 'run')).filter((n) => !spareIds.has(n)).length),
    // What the server can make in /tmp: an environment's socket folder `lambkin-<its 32-hex id>`
    // (when the data folder's path is too long for a unix socket). Everything else in /tmp belongs
    // to other programs on the machine (other test runs make and remove their own folders there).
    tmpEntries: count(() => readdirSync('/tmp').filter((n) => /^lambkin-[0-9a-f]{32}$/.test(n) && !spareIds.has(n.slice(8))).length),
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

/** `socket:[inode]` of every TCP connection (not a listener) whose local port is `port`. */
function tcpConnections(port) {
  const out = new Set();
  if (!port) return out;
  const hex = Number(port).toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of safe(() => readFileSync(file, 'utf8'), '').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1].endsWith(`:${hex}`) && f[3] !== '0A') out.add(`socket:[${f[9]}]`);
    }
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

/** Resident memory of one process in MB (VmRSS), and of it the anonymous part (heap, buffers) and file pages. */
export function rssMb(pid) {
  const status = safe(() => readFileSync(`/proc/${pid}/status`, 'utf8'), '');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
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
