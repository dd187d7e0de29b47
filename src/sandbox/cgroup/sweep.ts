// Cgroups left behind by a lambkin server that died without cleaning up (SIGKILL, power loss).
// Each server keeps its environments under lambkin/<its pid>/, so a folder whose pid is gone
// belongs to nobody: its processes are killed and its folders removed. Folders of live servers
// (other lambkin processes on the same machine) are never touched.
import { readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pidsIn } from './files.js';

export function sweepDeadServers(lambkinDir: string): void {
  let servers: string[];
  try {
    servers = readdirSync(lambkinDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return;
  }
  for (const name of servers) {
    if (!/^\d+$/.test(name) || alive(Number(name))) continue;
    const dir = join(lambkinDir, name);
    let envs: string[] = [];
    try {
      envs = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      continue;
    }
    for (const env of envs) {
      for (const pid of pidsIn(join(dir, env, 'cgroup.procs'))) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      // An environment frozen while idle: its processes die of the SIGKILL only once thawed.
      thaw(join(dir, env));
      tryRmdir(join(dir, env));
    }
    tryRmdir(dir);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function thaw(dir: string): void {
  for (const [file, value] of [['freezer.state', 'THAWED'], ['cgroup.freeze', '0']] as const) {
    try {
      writeFileSync(join(dir, file), value, { flag: 'r+' });
    } catch {
      // not a freezer folder (another controller's hierarchy), or gone
    }
  }
}

export function tryRmdir(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    // still busy (processes being reaped): the next server start tries again
  }
}
