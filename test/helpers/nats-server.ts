// A private nats-server for one test file: JetStream on, its store in a temporary folder, on a free
// port of loopback, with the payload limit a cluster needs (docs/cluster.md). Stopped and removed by
// stop(); a test may also stop and start it again (same port, same store) to cut the nodes off.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  /** Stop it (the store stays): nodes lose their connection. */
  pause(): Promise<void>;
  /** Start it again on the same port with the same store. */
  resume(): Promise<void>;
  /** Stop it and remove its store. */
  stop(): Promise<void>;
}

/** nats-server is installed (Debian's package); a suite skips with a clear message without it. */
export function natsServerAvailable(): boolean {
  return spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function accepting(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = createConnection({ port, host: '127.0.0.1' }, () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port} within 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startNatsServer(): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-nats-'));
  const port = await freePort();
  const config = join(dir, 'nats.conf');
  writeFileSync(config, [
    `listen: 127.0.0.1:${port}`,
    'max_payload: 8MB',
    `jetstream { store_dir: "${join(dir, 'js')}", max_memory_store: 256MB, max_file_store: 2GB }`,
    '',
  ].join('\n'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('nats-server', ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${stderr}`))));
    await Promise.race([accepting(port, Date.now() + 20_000), exited]);
  };
  const halt = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    pause: halt,
    resume: start,
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
