// Start a lambkin server (the built CLI) on a free port for a benchmark, and stop it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

/** root: the lambkin tree (built) whose CLI to start; another one for an A/B run (bench/cold-ab.js). */
export async function startServer(args = [], env = {}, root = ROOT) {
  const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-bench-'));
  const proc = spawn(process.execPath, [join(root, 'bin/lambkin.js'), 'serve', '--port', '0', '--data-dir', dataDir, ...args], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise((res, rej) => {
    proc.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) res(m[1]);
    });
    proc.once('exit', (code) => rej(new Error(`server exited ${code}: ${out}`)));
  });
  return {
    url, pid: proc.pid, dataDir,
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
