// Memory of a process tree, counted two ways: RSS (what top shows; shared pages counted in every
// process) and PSS (shared pages split between the processes sharing them), from smaps_rollup.
import { readdirSync, readFileSync } from 'node:fs';

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

/** The platform process and everything below it (environments, sandboxes, helpers). */
export function treeMem(root) {
  const platform = memOf(root);
  const kids = descendants(root);
  const envs = { rss: 0, pss: 0, processes: kids.length };
  for (const pid of kids) {
    const m = memOf(pid);
    envs.rss += m.rss;
    envs.pss += m.pss;
  }
  return { platform, envs, total: { rss: platform.rss + envs.rss, pss: platform.pss + envs.pss } };
}
