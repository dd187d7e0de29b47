// The bytes of a direct link between two nodes (docs/cluster.md, "Direct links"): the dialling
// node first sends the 32-byte key the other node gave it (in a result over NATS, so only a client
// of the cluster's NATS learns it: the same trust as the NATS path), then both sides send frames:
// 4 bytes (big-endian) length of what follows, 8 bytes the request's token (float64), and a
// request (frame.ts, encodeRequest) one way or a reply (encodeReply) the other. A frame is at most
// MAX_LINK_FRAME: 6 MB payloads and their header fit, nothing much larger is ever buffered.
import { MIN_NATS_PAYLOAD } from './nats.js';

export const KEY_BYTES = 32;
/** The largest frame either side reads: a 6 MB payload and its envelope (as on NATS). */
export const MAX_LINK_FRAME = MIN_NATS_PAYLOAD + 8;
const HEAD = 12;

/** One frame, as the two buffers to write (no copy of the body). */
export function linkFrame(token: number, body: Uint8Array): [Buffer, Uint8Array] {
  const head = Buffer.allocUnsafe(HEAD);
  head.writeUInt32BE(8 + body.length, 0);
  head.writeDoubleBE(token, 4);
  return [head, body];
}

/**
 * Splits a socket's bytes into frames. `push` returns false once the stream is broken (a length
 * past MAX_LINK_FRAME or too short to hold a token): the caller closes the socket.
 */
export class LinkReader {
  private chunks: Buffer[] = [];
  private held = 0;

  constructor(private readonly onFrame: (token: number, body: Buffer) => void) {}

  push(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.held += chunk.length;
    for (;;) {
      if (this.held < 4) return true;
      const first = this.chunks[0].length >= 4 ? this.chunks[0] : this.join();
      const n = first.readUInt32BE(0);
      if (n < 8 || n > MAX_LINK_FRAME) return false;
      if (this.held < 4 + n) return true;
      const all = this.join();
      const rest = all.subarray(4 + n);
      this.chunks = rest.length ? [rest] : [];
      this.held = rest.length;
      this.onFrame(all.readDoubleBE(4), all.subarray(HEAD, 4 + n));
    }
  }

  private join(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.held)];
    return this.chunks[0];
  }
}
