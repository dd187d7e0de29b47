// The host side of a debug environment's port: a listener on the host's 127.0.0.1 only (never another
// address), on the debugger's usual port when it is free, else on any free one. When the sandbox has
// a network of its own, each connection is relayed to the unix socket the sandbox forwards to the
// runtime's debugger (SandboxLayout.debugSocket); otherwise the runtime listens on that port itself.
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { LaunchCommand, RuntimeSpec } from '../runtimes/catalogue.js';
import { debugKind, debugLaunch } from '../runtimes/debug.js';
import type { SandboxLayout } from '../sandbox/types.js';

/** Debugger connections one environment holds at once (a debugger uses one or two). */
const MAX_CONNECTIONS = 8;

/**
 * After its one invocation, how long a debug environment waits at most for its debugger to detach
 * before it stops all the same (a debugger left attached must not hold the environment forever).
 */
export const DETACH_WAIT_MS = 10_000;
/** How often a runtime that listens on the host itself is looked at for connections left. */
const DETACH_POLL_MS = 200;

export interface DebugRelay {
  /** The host's port, on 127.0.0.1. */
  readonly port: number;
  /** Accept no more connections; those open go on. */
  stopListening(): void;
  /** Resolves once no connection is left (at once when none is open). */
  idle(): Promise<void>;
  close(): void;
}

/** Relay 127.0.0.1:(preferred, else free) to the unix socket `target`. */
export async function openDebugRelay(preferred: number, target: string): Promise<DebugRelay> {
  const open = new Set<Socket>();
  let whenIdle: (() => void)[] = [];
  const server = createServer((client) => {
    if (open.size >= MAX_CONNECTIONS) {
      client.destroy();
      return;
    }
    open.add(client);
    const inner = connect(target);
    // Each side's end is passed on as an end, not a destroy: what the runtime's debugger wrote
    // last (the reply to "resume", its last events) still reaches the debugger.
    client.on('error', () => inner.destroy()).on('close', () => {
      inner.destroy();
      open.delete(client);
      if (open.size === 0) for (const resolve of whenIdle.splice(0)) resolve();
    });
    inner.on('error', () => client.destroy()).on('close', () => client.end());
    client.pipe(inner);
    inner.pipe(client);
  });
  const port = await listenLoopback(server, preferred);
  return {
    port,
    stopListening: () => server.close(),
    idle: () => (open.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => whenIdle.push(resolve))),
    close: () => {
      server.close();
      for (const s of open) s.destroy();
      for (const resolve of whenIdle.splice(0)) resolve();
      whenIdle = [];
    },
  };
}

/** A free port on 127.0.0.1, `preferred` when it is free: for a runtime that listens there itself. */
export async function freeLoopbackPort(preferred: number): Promise<number> {
  const server = createServer();
  const port = await listenLoopback(server, preferred);
  await new Promise((r) => server.close(r));
  return port;
}

async function listenLoopback(server: Server, preferred: number): Promise<number> {
  const attempt = (port: number) => new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
  try {
    return await attempt(preferred);
  } catch {
    return attempt(0);
  }
}

/** A debug environment's launch: the runtime's debugger inside, and the host's port for it. */
export interface DebugSetup {
  readonly launch: LaunchCommand;
  /** The port inside the sandbox (LaunchSpec.debugPort). */
  readonly innerPort: number;
  /** The port on the host's 127.0.0.1 a debugger attaches to. */
  readonly hostPort: number;
  readonly relay?: DebugRelay;
}

export async function setUpDebug(runtime: RuntimeSpec, launch: LaunchCommand, layout: SandboxLayout): Promise<DebugSetup> {
  const kind = debugKind(runtime);
  if (!kind) throw new Error(`${runtime.name} has no debugger`);
  if (layout.debugSocket) {
    const relay = await openDebugRelay(kind.port, layout.debugSocket);
    return { launch: debugLaunch(runtime, launch, kind.port), innerPort: kind.port, hostPort: relay.port, relay };
  }
  // The host's own network: the runtime binds the host's loopback itself.
  const port = await freeLoopbackPort(kind.port);
  return { launch: debugLaunch(runtime, launch, port), innerPort: port, hostPort: port };
}

/**
 * After a debug environment's invocation: resolves once its debugger has detached, or after
 * DETACH_WAIT_MS. Stopping the runtime at once would cut the debugger off in the middle of its
 * conversation: the reply to the "resume" that let the invocation finish is often still on its way
 * (written by the inspector's own thread, through the sandbox's relay) when the result arrives.
 */
export async function debuggerDetached(setup: DebugSetup): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, DETACH_WAIT_MS)));
  const relay = setup.relay;
  let polling = true;
  // Without a relay the runtime listens on the host's loopback itself: its connections are in /proc.
  const gone = relay ? relay.idle() : (async () => {
    while (polling && establishedOn(setup.hostPort) > 0) await new Promise((r) => setTimeout(r, DETACH_POLL_MS));
  })();
  relay?.stopListening();
  try {
    await Promise.race([gone, late]);
  } finally {
    polling = false;
    clearTimeout(timer);
  }
}

/** TCP connections established to 127.0.0.1:port on this host (the listener's side of each). */
function establishedOn(port: number): number {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1]?.endsWith(hex) && f[3] === '01') n++;
    }
  }
  return n;
}
