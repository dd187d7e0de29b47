// Start the do-nothing server of floor-server.js in its own process, as a benchmark target whose
// every function name answers `{}` (there is nothing to deploy and nothing to retire).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { client } from './load.js';

const NAMES = new Proxy({}, { get: () => 'floor' });

/** The server alone: { url, pid, stop } (as lib/server.js's startServer). */
export async function startFloorServer() {
  const proc = spawn(process.execPath, [join(import.meta.dirname, 'floor-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise((res, rej) => {
    proc.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) res(m[1]);
    });
    proc.once('exit', (code) => rej(new Error(`the floor server exited ${code}: ${out}`)));
  });
  return {
    url, pid: proc.pid,
    stop: async () => {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
    },
  };
}

/** A benchmark target (lib/targets.js's shape) for `npm run bench`. */
export async function floor() {
  const server = await startFloorServer();
  const lambda = client(server.url);
  return {
    id: 'floor', kind: 'floor', url: server.url, pid: server.pid, lambda, names: NAMES,
    stop: async () => { lambda.destroy(); await server.stop(); },
  };
}
