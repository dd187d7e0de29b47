// Connections to the main listener: timeouts, so that a connection that sends nothing, or its
// headers or body a byte at a time, is closed; and a cap on open connections, so that thousands of
// idle ones cannot use up the server's file descriptors. Near the cap, connections with no request
// in progress are closed: first those that never finished a request (held open and silent, oldest
// first), then idle keep-alive sockets, least recently used first — so a flood of silent
// connections costs a well-behaved client's kept-alive socket nothing, and a client with a request
// to make still gets in. Only when every connection is busy does Node refuse new ones
// (server.maxConnections).
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  /** Open connections at most (LAMBKIN_MAX_CONNECTIONS, --max-connections). */
  readonly maxConnections: number;
  /** From connection (or the end of the last request) to the end of the request's headers. */
  readonly headersTimeoutMs: number;
  /** From the start of a request to the end of its body; not the time to answer it. */
  readonly requestTimeoutMs: number;
  /** How long a keep-alive connection may wait for its next request. */
  readonly keepAliveTimeoutMs: number;
}

/** Past this share of the cap, idle connections are closed to make room. */
const EVICT_AT = 0.9;
/** ... down to this share, so that eviction runs in bursts, not at every connection. */
const EVICT_TO = 0.8;

/** Node's own enforcement of the timeouts (checked every second or so, not every minute). */
export function serverOptions(limits: ConnectionLimits): ServerOptions {
  return {
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(250, Math.min(5_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

interface Open {
  /** Requests in progress on it. */
  busy: number;
  /** Requests it has completed: 0 for a connection that never finished one. */
  served: number;
  /** When its last request ended (or when it connected). */
  lastUsed: number;
}

export function capConnections(server: Server, max: number, log: (line: string) => void): void {
  server.maxConnections = max;
  // Insertion order is age order.
  const open = new Map<Socket, Open>();
  const evictAt = Math.max(1, Math.floor(max * EVICT_AT));
  const evictTo = Math.floor(max * EVICT_TO);
  let lastWarning = 0;
  server.on('connection', (socket: Socket) => {
    open.set(socket, { busy: 0, served: 0, lastUsed: Date.now() });
    socket.once('close', () => open.delete(socket));
    if (open.size < evictAt) return;
    const closed = evict(open, socket, evictTo);
    const now = Date.now();
    if (closed > 0 && now - lastWarning > 60_000) {
      lastWarning = now;
      log(`lambkin: ${open.size} connections open (limit ${max}, --max-connections): closed ${closed} idle ones (never used first, then least recently used)`);
    }
  });
  const started = (req: { socket: Socket }, res: { once(e: 'close', l: () => void): unknown }) => {
    const socket = req.socket;
    const state = open.get(socket);
    if (!state) return;
    state.busy++;
    res.once('close', () => {
      state.busy--;
      state.served++;
      state.lastUsed = Date.now();
    });
  };
  server.on('request', started);
  server.on('checkContinue', started);
  // Every connection busy: Node refuses the new one (a reset). Said once a minute at most.
  let lastDrop = 0;
  server.on('drop', () => {
    const now = Date.now();
    if (now - lastDrop < 60_000) return;
    lastDrop = now;
    log(`lambkin: refusing connections: all ${max} are busy with a request (--max-connections)`);
  });
}

/** Close idle connections until at most `to` are left: never-used ones oldest first, then the least recently used. */
function evict(open: Map<Socket, Open>, keep: Socket, to: number): number {
  let left = open.size;
  let closed = 0;
  const kept: [Socket, Open][] = [];
  for (const entry of open) {
    const [s, state] = entry;
    if (s.destroyed) left--; // already closing: its 'close' has not come yet
    else if (state.busy === 0 && s !== keep) {
      if (state.served > 0) kept.push(entry);
      else if (left > to) {
        s.destroy();
        closed++;
        left--;
      }
    }
  }
  if (left <= to) return closed;
  kept.sort((a, b) => a[1].lastUsed - b[1].lastUsed);
  for (const [s] of kept) {
    if (left <= to) break;
    s.destroy();
    closed++;
    left--;
  }
  return closed;
}
