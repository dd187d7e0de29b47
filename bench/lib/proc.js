// Memory of a process tree, counted two ways: RSS (what top shows; shared pages counted in every
// process) and PSS (shared pages split between the processes sharing them), from smaps_rollup.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

function ppids() {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // comm may hold spaces and parentheses: the fields after the last ')' are fixed.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(rest[1]));
    } catch { /* exited meanwhile */ }
  }
  return parent;
}

/** utime + stime of one process (all its threads), in ms (from /proc; 10 ms resolution). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function descendants(root) {
  const parent = ppids();
  const out = [];
  const frontier = [root];
  while (frontier.length) {
    const p = frontier.pop();
    for (const [pid, pp] of parent) if (pp === p) { out.push(pid); frontier.push(pid); }
  }
  return out;
}

/** { rss, pss } in MB of one process (0 if it is gone). */
export function memOf(pid) {
  try {
    const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(t)?.[1] ?? 0);
    return { rss: kb('Rss') / 1024, pss: kb('Pss') / 1024 };
  } catch { return { rss: 0, pss: 0 }; }
}

/**
 * The processes of lambkin's pre-started spare sandboxes (src/sandbox/prestart): a spare runtime
 * still waits for its function on a pipe (or socket pair) at fd 0 (a runtime in use has /dev/null there). Its
 * sandbox is everything under the platform's child it runs in, plus the slirp4netns serving it.
 */
export function spares(root) {
  const parent = ppids();
  const kids = descendants(root);
  const out = new Set();
  for (const pid of kids) {
    let fd0 = '';
    let environ = '';
    try {
      fd0 = readlinkSync(`/proc/${pid}/fd/0`);
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch { continue; }
    if (!/^(pipe|socket):/.test(fd0) || !environ.includes('_LAMBKIN_PRESTART=')) continue;
    let top = pid;
    while (parent.get(top) !== root && parent.has(top)) top = parent.get(top);
    out.add(top);
    for (const d of descendants(top)) out.add(d);
  }
  for (const pid of kids) {
    let argv = [];
    try { argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'); } catch { continue; }
    if (argv[0]?.endsWith('slirp4netns') && argv.some((a) => out.has(Number(a)))) out.add(pid);
  }
  return out;
}

/**
 * The platform process and everything below it (environments, sandboxes, helpers). `spare`: the
 * pre-started sandboxes waiting for a function, counted apart from the environments.
 */
export function treeMem(root) {
  const platform = memOf(root);
  const kids = descendants(root);
  const spare = spares(root);
  const envs = { rss: 0, pss: 0, processes: 0 };
  const spareMem = { rss: 0, pss: 0, processes: 0 };
  for (const pid of kids) {
    const m = memOf(pid);
    const into = spare.has(pid) ? spareMem : envs;
    into.rss += m.rss;
    into.pss += m.pss;
    into.processes++;
  }
  return {
    platform, envs, spare: spareMem,
    total: { rss: platform.rss + envs.rss + spareMem.rss, pss: platform.pss + envs.pss + spareMem.pss },
  };
}
