// The listening half of direct links (docs/cluster.md, "Direct links"): a TCP listener of its own
// on the API's host, which takes only the link protocol (direct-wire.ts): the node's key within
// KEY_WAIT_MS of connecting, else the socket is closed without a word; then requests, each handed
// to `handle`, whose answers go back as frames with the request's token. Bounded: frames of at
// most MAX_LINK_FRAME, MAX_LINKS sockets, and a peer that stops reading is cut off once
// MAX_UNREAD bytes of answers wait for it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { KEY_BYTES, LinkReader, linkFrame } from './direct-wire.js';
import { encodeReply, type Reply } from './frame.js';
import { ConfigError } from '../errors.js';

const KEY_WAIT_MS = 2_000;
/** Links open at once: one per other node is the need; the rest is headroom for restarts. */
const MAX_LINKS = 256;
const MAX_UNREAD = 64 * 1024 * 1024;

export interface DirectServer {
  /** What a node must present to dial this one, and where: sent with each result over NATS. */
  readonly key: Buffer;
  readonly port: number;
  /** Who answers the requests (until then each is answered "busy"): set once dispatch starts. */
  answerWith(handle: DirectHandler): void;
  close(): void;
}

export type DirectHandler = (request: Buffer, answer: (reply: Reply) => void) => void;

export async function serveDirect(o: { host: string; port: number }): Promise<DirectServer> {
  const key = randomBytes(KEY_BYTES);
  let handle: DirectHandler = (_request, answer) => answer({ t: 'busy' });
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (socket) => {
    if (sockets.size >= MAX_LINKS) return socket.destroy();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const keyTimer = setTimeout(() => socket.destroy(), KEY_WAIT_MS);
    let presented: Buffer | undefined = Buffer.alloc(0);
    const reader = new LinkReader((token, body) => handle(body, (reply) => {
      if (socket.destroyed) return;
      if (socket.writableLength > MAX_UNREAD) return socket.destroy();
      const [head, rest] = linkFrame(token, encodeReply(reply));
      socket.cork();
      socket.write(head);
      socket.write(rest);
      socket.uncork();
    }));
    socket.on('data', (chunk: Buffer) => {
      if (presented) {
        presented = Buffer.concat([presented, chunk]);
        if (presented.length < KEY_BYTES) return;
        if (!timingSafeEqual(presented.subarray(0, KEY_BYTES), key)) return socket.destroy();
        clearTimeout(keyTimer);
        chunk = presented.subarray(KEY_BYTES);
        presented = undefined;
        if (chunk.length === 0) return;
      }
      if (!reader.push(chunk)) socket.destroy();
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (err) => reject(new ConfigError(`cannot listen for the cluster's direct links on ${o.host}:${o.port} (${err.message}): set LAMBKIN_CLUSTER_DIRECT_PORT to a free port, or 0 for any`)));
    server.listen(o.port, o.host, () => resolve((server.address() as { port: number }).port));
  });
  return {
    key,
    port,
    answerWith: (h) => {
      handle = h;
    },
    close: () => {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}
