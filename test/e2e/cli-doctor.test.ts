// `lambkin doctor`: before any server runs, the same facts `lambkin serve` finds at start — the
// sandbox it would choose, cgroups, which runtimes it can run — and one apt-get line for what is
// missing. Each check is compared with what a server started with the same PATH reports (a PATH
// with no ruby, java or python stands in for a machine without them, as in runtimes.test.ts).
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambkinClient } from '../../src/client/index.js';
import { CLI, startLambkin, type Lambkin } from '../helpers/server.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Check {
  readonly name: string;
  readonly status: string;
  readonly detail: string;
}

const EMPTY_PATH = { PATH: '/lambkin-empty-path' };

function doctor(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'doctor', ...args], { env: { ...process.env, NO_COLOR: '1', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

async function serverRuntimes(lk: Lambkin): Promise<Record<string, string>> {
  const list = await new LambkinClient({ endpoint: lk.url }).listRuntimes();
  return Object.fromEntries(list.map((r) => [r.name, r.status]));
}

const asServerSays: Record<string, string> = { ok: 'installed', missing: 'missing', 'n/a': 'unavailable' };

let full: Lambkin;
let bare: Lambkin;

beforeAll(async () => {
  [full, bare] = await Promise.all([startLambkin(), startLambkin({ env: EMPTY_PATH })]);
});
afterAll(async () => {
  await Promise.all([full?.stop(), bare?.stop()]);
});

describe('lambkin doctor', () => {
  it('reports the sandbox, network tools, nftables, seccomp and cgroups as `lambkin serve` found them', async () => {
    const run = await doctor({}, '--json');
    const checks = JSON.parse(run.stdout) as Check[];
    const by = Object.fromEntries(checks.map((c) => [c.name, c]));
    const started = full.output();
    // serve's summary line: "sandbox namespace (network isolated, cgroups v1 at …)" or a warning.
    expect(by.bubblewrap!.status === 'ok').toBe(started.includes('sandbox namespace'));
    const isolated = started.includes('network isolated');
    expect(by.socat!.status === 'ok' && by.slirp4netns!.status === 'ok').toBe(isolated);
    const cgroups = /cgroups v(\d)/.exec(started);
    expect(by.cgroups!.status === 'ok').toBe(cgroups !== null);
    if (cgroups) expect(by.cgroups!.detail).toMatch(new RegExp(`^v${cgroups[1]}, writable`));
    // serve warns about the egress policy's tools only for the isolated network, as root.
    if (isolated && process.getuid?.() === 0) {
      expect(by.nftables!.status === 'ok').toBe(!started.includes('nftables is not installed'));
    }
    expect(by.seccomp!.status === 'ok').toBe(!started.includes('no seccomp filter'));
    expect(run.code).toBe(checks.some((c) => c.status === 'missing') ? 1 : 0);
  });

  it('lists each runtime with the status the server gives it', async () => {
    const [run, server] = await Promise.all([doctor({}, '--json'), serverRuntimes(full)]);
    const checks = JSON.parse(run.stdout) as Check[];
    for (const [name, status] of Object.entries(server)) {
      const check = checks.find((c) => c.name === name);
      expect(check, name).toBeDefined();
      expect(asServerSays[check!.status], name).toBe(status);
    }
  });

  it('on a machine without python, ruby or java: each marked missing, one apt-get line for them, exit 1', async () => {
    const [run, server] = await Promise.all([doctor(EMPTY_PATH), serverRuntimes(bare)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^CHECK\s+STATUS\s+DETAIL/);
    for (const name of ['Python', 'Ruby', 'Java']) {
      expect(server[name], name).toBe('missing');
      expect(run.stdout).toMatch(new RegExp(`^${name}\\s+missing\\s+\\S`, 'm'));
    }
    expect(run.stdout).toMatch(/^Node\.js\s+ok\s+node \d+/m);
    expect(run.stdout).toMatch(/^\.NET\s+n\/a\s+/m);
    expect(run.stdout).toMatch(/^to install what is missing: {2}apt-get install -y (.+ )?python3 ruby default-jdk-headless$/m);
  });
});
