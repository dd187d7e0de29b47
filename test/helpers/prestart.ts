// Runtimes waiting in a server's pre-started pool (src/sandbox/prestart/pool.ts), found as a user
// could find them: in /proc, by the pool's marker in their start-up environment.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import type { Lambkin } from './server.js';
import type { RuntimeCase } from './functions.js';

/**
 * Runtime processes of this server waiting in the pool: their start-up environment has the marker
 * and their stdin is still the pipe (a socket pair) their assignment comes through; then it becomes /dev/null.
 */
export function waiting(server: Lambkin, rt: RuntimeCase): number[] {
  const bootstrap = rt.label === 'node' ? '/nodejs/bootstrap.js' : '/python/bootstrap.py';
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes('_LAMBKIN_PRESTART=1')) continue;
      if (readlinkSync(`/proc/${pid}/fd/0`) === '/dev/null') continue;
      if (!readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(bootstrap)) continue;
      if (descendsFrom(pid, server.proc.pid!)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p = pid, i = 0; p > 1 && i < 64; i++) {
    if (p === ancestor) return true;
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return false;
}

