// An environment between invocations is frozen (cgroup freezer), as Lambda freezes its microVMs:
// a handler that leaves a detached busy loop behind and returns gets no CPU for it while idle.
// The next invocation thaws it (the loop runs again while it runs) and works; a frozen
// environment still dies whole when it is stopped.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { DeleteFunctionCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import type { Lambkin } from '../helpers/server.js';
import { processesMentioning } from '../helpers/functions.js';
import { call, deploy, stillServes, waitFor, withBystanderServer } from './hostile.js';

let lk: Lambkin;

withBystanderServer((server) => (lk = server));

/** CPU time (user + system, clock ticks) a process has used, from /proc/<pid>/stat. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the line)
}

interface EnvView { readonly id: string; readonly state: string; readonly frozen?: boolean }

async function environmentsOf(fn: string): Promise<EnvView[]> {
  const r = await fetch(`${lk.url}/lambkin/v1/environments?function=${fn}`);
  return ((await r.json()) as { environments: EnvView[] }).environments;
}

// Freezing needs a cgroup freezer: v1's freezer hierarchy (this project's machines) or cgroup v2.
const FREEZER = existsSync('/sys/fs/cgroup/freezer/cgroup.procs') || existsSync('/sys/fs/cgroup/cgroup.controllers');

describe.skipIf(!FREEZER)('idle environments are frozen', () => {
  it('a detached busy loop gets no CPU while its environment is idle, and runs again during the next invocation', async () => {
    const marker = `spin-${randomUUID()}`;
    await deploy(lk.lambda, 'leaves-spinner', `
      const { spawn } = require('node:child_process');
      let spawned = false;
      exports.lambda_handler = async (event) => {
        if (!spawned) spawn(process.execPath, ['-e', 'for (;;) {}', '${marker}'], { detached: true, stdio: 'ignore' }).unref();
        spawned = true;
        if (event.hold) await new Promise((r) => setTimeout(r, event.hold));
        console.log('returning');
        return { ok: true };
      };`);
    expect((await call(lk.lambda, 'leaves-spinner')).body).toEqual({ ok: true });
    const [pid] = await waitFor('the busy loop to run', () => {
      const found = processesMentioning(marker);
      return found.length === 1 && found;
    });

    // Idle: the environment says it is frozen, and the loop's CPU time stands still.
    await waitFor('the idle environment to be frozen', async () => (await environmentsOf('leaves-spinner'))[0]?.frozen === true);
    const before = cpuTicks(pid!);
    await new Promise((r) => setTimeout(r, 1_000)); // an interval to measure over, not a wait for a condition
    expect(cpuTicks(pid!)).toBe(before);

    // The next invocation thaws it: the loop runs while the handler holds for 600 ms, and the invoke works.
    const r = await call(lk.lambda, 'leaves-spinner', { hold: 600 });
    expect(r.body).toEqual({ ok: true });
    expect(r.log).toContain('returning');
    expect(cpuTicks(pid!)).toBeGreaterThan(before);

    // Frozen again, it still dies whole when its environment is stopped (a frozen process
    // cannot die of SIGKILL until thawed: stopping thaws it).
    await waitFor('the environment to be frozen again', async () => (await environmentsOf('leaves-spinner'))[0]?.frozen === true);
    await lk.lambda.send(new DeleteFunctionCommand({ FunctionName: 'leaves-spinner' }));
    await waitFor('the busy loop to die with its frozen environment', () => processesMentioning(marker).length === 0, 20_000);
    await waitFor('its environment to be gone', async () => (await environmentsOf('leaves-spinner')).length === 0);
    await stillServes(lk.lambda);
  });

  it('likewise in Python', async () => {
    const marker = `spin-${randomUUID()}`;
    await deploy(lk.lambda, 'leaves-spinner-python', `
import subprocess, sys
started = []
def lambda_handler(event, context):
    if not started:
        started.append(subprocess.Popen([sys.executable, '-c', 'while True: pass', '${marker}'], start_new_session=True))
    return {"ok": True}
`, { runtime: 'python3.11' });
    expect((await call(lk.lambda, 'leaves-spinner-python')).body).toEqual({ ok: true });
    const [pid] = await waitFor('the busy loop to run', () => {
      const found = processesMentioning(marker);
      return found.length === 1 && found;
    });
    await waitFor('the idle environment to be frozen', async () => (await environmentsOf('leaves-spinner-python'))[0]?.frozen === true);
    const before = cpuTicks(pid!);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(cpuTicks(pid!)).toBe(before);
    expect((await call(lk.lambda, 'leaves-spinner-python')).body).toEqual({ ok: true });
  });
});
