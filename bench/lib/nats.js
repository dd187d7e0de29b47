// A private nats-server for one benchmark run (as test/helpers/nats-server.ts for the tests):
// JetStream on, its store in a temporary folder, 8 MB payloads, and its monitoring port, whose
// /varz counts the messages that went through it (the cluster benchmark's per-invocation cost).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
  s.on('error', reject);
});

export async function startNats() {
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-bench-nats-'));
  const port = await freePort();
  const monitor = await freePort();
  const config = join(dir, 'nats.conf');
  writeFileSync(config, `listen: 127.0.0.1:${port}\nhttp: 127.0.0.1:${monitor}\nmax_payload: 8MB\njetstream { store_dir: "${join(dir, 'js')}" }\n`);
  const proc = spawn('nats-server', ['-c', config], { stdio: 'ignore' });
  const exited = new Promise((_, reject) => proc.once('exit', (code) => reject(new Error(`nats-server exited (${code}); is it installed?`))));
  const varz = async () => (await fetch(`http://127.0.0.1:${monitor}/varz`)).json();
  for (const deadline = Date.now() + 20_000; ;) {
    const up = await Promise.race([varz().then(() => true, () => false), exited]);
    if (up) break;
    if (Date.now() > deadline) throw new Error('nats-server did not start within 20 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    pid: proc.pid,
    /** Messages the server has taken in so far. */
    inMsgs: async () => (await varz()).in_msgs,
    stop: async () => {
      if (proc.exitCode === null) {
        proc.kill('SIGKILL');
        await new Promise((r) => proc.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
