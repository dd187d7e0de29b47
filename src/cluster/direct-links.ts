// The dialling half of direct links (docs/cluster.md, "Direct links"): at most one socket from this
// node to each other node, opened when an invocation is first handed to it directly and kept while
// it lives. A link that is still connecting is not used (that invocation takes the NATS path), so a
// request is only ever written to an open socket; one that cannot connect within CONNECT_MS is not
// tried again for RETRY_MS (a firewall between the nodes costs the NATS path, nothing more).
import { connect, type Socket } from 'node:net';
import { LinkReader, linkFrame } from './direct-wire.js';

const CONNECT_MS = 1_000;
const RETRY_MS = 30_000;

/** Where and how to reach a node directly: told by that node with each result over NATS. */
export interface DirectAddress {
  readonly port: number;
  /** Hex of the node's key (direct-wire.ts). */
  readonly key: string;
}

export interface DirectLink {
  readonly node: string;
  /** Writes the request; false when the socket is not open (nothing was sent). */
  send(token: number, data: Uint8Array): boolean;
}

export interface LinkEvents {
  /** A reply to the request sent with `token` on `link`. */
  answer(link: DirectLink, token: number, data: Buffer): void;
  /** The link is gone: what was sent on it and not answered has no answer coming. */
  closed(link: DirectLink): void;
}

interface Held {
  readonly address: DirectAddress;
  readonly socket: Socket;
  readonly link: DirectLink;
  open: boolean;
}

export class DirectLinks {
  private readonly held = new Map<string, Held>();
  private readonly failedUntil = new Map<string, number>();

  constructor(private readonly events: LinkEvents) {}

  /** The open link to `node` at `host`, or undefined (then one is being opened, or may not be). */
  open(node: string, host: string, address: DirectAddress): DirectLink | undefined {
    const h = this.held.get(node);
    if (h && h.address.port === address.port && h.address.key === address.key && !h.socket.destroyed) return h.open ? h.link : undefined;
    if (h) this.drop(node);
    if ((this.failedUntil.get(node) ?? 0) > Date.now()) return undefined;
    this.dial(node, host.replace(/^\[(.*)\]$/, '$1'), address);
    return undefined;
  }

  /** `node` left the cluster (or this node closes): its link goes. */
  drop(node: string): void {
    const h = this.held.get(node);
    this.held.delete(node);
    h?.socket.destroy();
  }

  close(): void {
    for (const node of [...this.held.keys()]) this.drop(node);
  }

  private dial(node: string, host: string, address: DirectAddress): void {
    const socket = connect({ host, port: address.port, noDelay: true });
    const h: Held = {
      address, socket, open: false,
      link: {
        node,
        send: (token, data) => {
          if (!h.open || socket.destroyed || !socket.writable) return false;
          const [head, body] = linkFrame(token, data);
          socket.cork();
          socket.write(head);
          socket.write(body);
          socket.uncork();
          return true;
        },
      },
    };
    this.held.set(node, h);
    const timer = setTimeout(() => socket.destroy(new Error('connect timeout')), CONNECT_MS);
    const reader = new LinkReader((token, body) => this.events.answer(h.link, token, body));
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.write(Buffer.from(address.key, 'hex'));
      h.open = true;
    });
    socket.on('data', (chunk: Buffer) => {
      if (!reader.push(chunk)) socket.destroy();
    });
    socket.on('error', () => {
      if (!h.open) this.failedUntil.set(node, Date.now() + RETRY_MS);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      h.open = false;
      if (this.held.get(node) === h) this.held.delete(node);
      this.events.closed(h.link);
    });
  }
}
