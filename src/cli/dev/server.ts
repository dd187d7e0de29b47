// `lambkin dev` without a server: when nothing answers at the default endpoint (and none was named
// with --endpoint / LAMBKIN_ENDPOINT), start `lambkin serve` as a child with the same environment
// (so LAMBKIN_PORT, LAMBKIN_DATA_DIR, … apply to it) and stop it when dev stops.
import { spawn, type ChildProcess } from 'node:child_process';
import { LambkinConnectionError, type LambkinClient } from '../../client/index.js';

const START_TIMEOUT_MS = 30_000;

export interface StartedServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** undefined when a server answers already; else the one started. */
export async function ensureServer(client: LambkinClient, named: boolean, say: (line: string) => void): Promise<StartedServer | undefined> {
  try {
    await client.listRuntimes();
    return undefined;
  } catch (err) {
    if (!(err instanceof LambkinConnectionError) || named) throw err;
  }
  const port = new URL(client.endpoint).port || '9000';
  const child = spawn(process.execPath, [process.argv[1]!, 'serve', '--port', port], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  let out = '';
  let seen: (chunk: Buffer) => void = () => {};
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lambkin serve did not start within ${START_TIMEOUT_MS / 1000} s:\n${out}`)), START_TIMEOUT_MS);
    seen = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lambkin serve exited (${code}) before listening:\n${out}`));
    });
  });
  // From here on its output is its own business: read and dropped.
  child.stdout!.off('data', seen).resume();
  child.stderr!.off('data', seen).resume();
  say(`lambkin: no server was running: started one at ${url} (stops with dev; console at ${url}/console/)`);
  return { url, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
