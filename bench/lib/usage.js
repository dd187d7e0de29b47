// Where an invoke's time goes, measured over a round: CPU (utime + stime from /proc/<pid>/stat,
// all threads) and context switches (voluntary + nonvoluntary, summed over /proc/<pid>/task/*/status)
// of the platform's own process, of everything below it (environments: runtimes, bwrap, socat,
// slirp4netns; the peer's Python processes) and of this client process. Divided by the invokes
// of the round. A process that starts during the round counts with all of its CPU; one that ends
// during it is missed (rounds are measured on warm environments, where neither happens much).
import { readdirSync, readFileSync } from 'node:fs';
import { descendants } from './proc.js';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function one(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let vol = 0;
    let invol = 0;
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const s = readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
      vol += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
      invol += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
    }
    return { cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS, cs: vol + invol };
  } catch {
    return undefined; // gone meanwhile
  }
}

/**
 * PostgreSQL's backends serving database `name` (their process title names it: "postgres: 15/main:
 * <role> <database> <client> <state>"; autovacuum's workers too), by pid. The server's shared
 * processes (WAL writer, checkpointer) are left out: on a shared machine they also serve others.
 */
export function databaseBackends(name) {
  const out = new Map();

  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const title = readFileSync(`/proc/${d}/cmdline`, 'latin1');
      if (!title.startsWith('postgres:') || !title.split(/[\s\0]+/).includes(name)) continue;
      const u = one(Number(d));
      if (u) out.set(Number(d), u);
    } catch { /* gone meanwhile */ }
  }
  return out;
}

/**
 * A snapshot of the platform `pid`, its descendants (each by pid) and this client process; with
 * `database`, also the PostgreSQL backends serving that database (its work is the platform's too).
 */
export function snapshot(pid, database) {
  const envs = new Map();
  for (const d of descendants(pid)) {
    const u = one(d);
    if (u) envs.set(d, u);
  }
  return { server: one(pid) ?? { cpuMs: 0, cs: 0 }, envs, client: one(process.pid), db: database ? databaseBackends(database) : undefined };
}

/** Per-invoke figures between two snapshots: µs of CPU and context switches, server / envs / client. */
export function perInvoke(a, b, invokes) {
  let envCpu = 0;
  let envCs = 0;
  for (const [pid, u] of b.envs) {
    const before = a.envs.get(pid) ?? { cpuMs: 0, cs: 0 };
    envCpu += u.cpuMs - before.cpuMs;
    envCs += u.cs - before.cs;
  }
  const n = Math.max(1, invokes);
  let dbCpu = 0;
  for (const [pid, u] of b.db ?? []) dbCpu += u.cpuMs - (a.db?.get(pid)?.cpuMs ?? 0);
  return {
    ...(b.db ? { dbCpuUs: (dbCpu * 1000) / n } : {}),
    serverCpuUs: ((b.server.cpuMs - a.server.cpuMs) * 1000) / n,
    envCpuUs: (envCpu * 1000) / n,
    clientCpuUs: ((b.client.cpuMs - a.client.cpuMs) * 1000) / n,
    serverCs: (b.server.cs - a.server.cs) / n,
    envCs: envCs / n,
    clientCs: (b.client.cs - a.client.cs) / n,
  };
}

/** Sums of several rounds' snapshots-deltas, weighted by their invokes: { figure: µs or count }. */
export class UsageTally {
  constructor() {
    this.sum = {};
    this.invokes = 0;
  }

  add(a, b, invokes) {
    const p = perInvoke(a, b, invokes);
    for (const [k, v] of Object.entries(p)) this.sum[k] = (this.sum[k] ?? 0) + v * invokes;
    this.invokes += invokes;
  }

  result() {
    const out = {};
    for (const [k, v] of Object.entries(this.sum)) out[k] = v / Math.max(1, this.invokes);
    return out;
  }
}
