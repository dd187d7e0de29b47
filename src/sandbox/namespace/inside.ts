// A connection from the host to a port on the sandbox's own loopback (the Telemetry API delivers to
// an extension's listener there). `host` network: the sandbox's loopback is the host's. Otherwise
// the sandbox has a network namespace of its own: a relay (socat) run in that namespace through
// nsenter carries the connection; it only connects out to 127.0.0.1:<port> there, and ends with it.
import { connect } from 'node:net';
import { Duplex } from 'node:stream';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnChild } from '../child.js';
import type { NetworkMode } from './network.js';

export interface InsideTarget {
  readonly network: NetworkMode;
  readonly root: boolean;
  readonly nsenter?: string;
  readonly socat?: string;
  /** The sandbox's pid (known for `isolated` once bwrap said it). */
  readonly pid?: number;
}

export function connectInside(t: InsideTarget, port: number): Duplex {
  if (t.network === 'host') return connect({ host: '127.0.0.1', port });
  if (!t.root || !t.nsenter || !t.socat || t.pid === undefined) {
    throw new Error(t.network === 'none'
      ? 'the sandbox has no network (--network none): nothing can be delivered to a listener in it'
      : 'the server cannot enter the sandbox\'s network (it needs root and nsenter)');
  }
  const child = spawnChild('the telemetry relay', t.nsenter, ['-t', String(t.pid), '-n', t.socat, 'STDIO', `TCP:127.0.0.1:${port}`], {
    stdio: ['pipe', 'pipe', 'ignore'], env: {},
  });
  const duplex = Duplex.from({ readable: child.stdout!, writable: child.stdin! });
  duplex.once('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  child.once('exit', () => duplex.destroy());
  return duplex;
}

/** The host's /etc/hosts plus `sandbox.localdomain` on the loopback, as Lambda's sandbox resolves it. */
export function sandboxHostsFile(dir: string): string {
  let hosts = '';
  try {
    hosts = readFileSync('/etc/hosts', 'utf8');
  } catch {
    hosts = '127.0.0.1 localhost\n';
  }
  const file = join(dir, 'hosts');
  writeFileSync(file, `${hosts.trimEnd()}\n127.0.0.1 sandbox.localdomain sandbox\n`, { mode: 0o444 });
  return file;
}
