// The host side of a debug environment's port: a listener on the host's 127.0.0.1 only (never another
// address), on the debugger's usual port when it is free, else on any free one. When the sandbox has
// a network of its own, each connection is relayed to the unix socket the sandbox forwards to the
// runtime's debugger (SandboxLayout.debugSocket); otherwise the runtime listens on that port itself.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { LaunchCommand, RuntimeSpec } from '../runtimes/catalogue.js';
import { debugKind, debugLaunch } from '../runtimes/debug.js';
import type { SandboxLayout } from '../sandbox/types.js';

/** Debugger connections one environment holds at once (a debugger uses one or two). */
const MAX_CONNECTIONS = 8;

export interface DebugRelay {
  /** The host's port, on 127.0.0.1. */
  readonly port: number;
  close(): void;
}

/** Relay 127.0.0.1:(preferred, else free) to the unix socket `target`. */
export async function openDebugRelay(preferred: number, target: string): Promise<DebugRelay> {
  const open = new Set<Socket>();
  const server = createServer((client) => {
    if (open.size >= MAX_CONNECTIONS) {
      client.destroy();
      return;
    }
    open.add(client);
    const inner = connect(target);
    const end = () => {
      open.delete(client);
      client.destroy();
      inner.destroy();
    };
    client.on('error', end).on('close', end);
    inner.on('error', end).on('close', end);
    client.pipe(inner).pipe(client);
  });
  const port = await listenLoopback(server, preferred);
  return {
    port,
    close: () => {
      server.close();
      for (const s of open) s.destroy();
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
