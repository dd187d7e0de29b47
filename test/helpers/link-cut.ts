// A loopback TCP relay between one node and its NATS server that a test can cut like a network
// partition: while cut, nothing crosses in either direction and neither side hears of it (no FIN,
// no RST — the bytes are held, as a lost link's retransmissions would be); a side that gives up and
// closes is not told to the other. heal() delivers what was held on connections both sides still
// have (late segments arriving), and ends the ones either side closed meanwhile. Connections made
// while cut hang until heal() ends them (a connect attempt into a partition).
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface LinkCut {
  /** Point the node here (nats://127.0.0.1:<port>). */
  readonly url: string;
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

interface Pair { client: Socket; upstream: Socket | undefined; toUpstream: Buffer[]; toClient: Buffer[]; closed: boolean }

export async function startLinkCut(targetPort: number): Promise<LinkCut> {
  let isCut = false;
  const pairs = new Set<Pair>();
  const end = (p: Pair) => {
    p.closed = true;
    pairs.delete(p);
    p.client.destroy();
    p.upstream?.destroy();
  };
  const wire = (p: Pair) => {
    const up = connect({ port: targetPort, host: '127.0.0.1' });
    p.upstream = up;
    up.on('data', (d: Buffer) => (isCut ? p.toClient.push(d) : p.client.write(d)));
    up.on('error', () => undefined);
    up.on('close', () => !isCut && end(p));
  };
  const server: Server = createServer((client) => {
    const p: Pair = { client, upstream: undefined, toUpstream: [], toClient: [], closed: false };
    pairs.add(p);
    client.on('data', (d: Buffer) => (isCut || !p.upstream ? p.toUpstream.push(d) : p.upstream.write(d)));
    client.on('error', () => undefined);
    client.on('close', () => {
      p.closed = true;
      if (!isCut) end(p);
    });
    if (!isCut) wire(p);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `nats://127.0.0.1:${port}`,
    cut: () => {
      isCut = true;
    },
    heal: () => {
      isCut = false;
      for (const p of [...pairs]) {
        // Made during the cut, or closed by either side meanwhile: ended (the client reconnects).
        if (!p.upstream || p.closed || p.upstream.destroyed || p.client.destroyed) {
          end(p);
          continue;
        }
        for (const d of p.toUpstream.splice(0)) p.upstream.write(d);
        for (const d of p.toClient.splice(0)) p.client.write(d);
      }
    },
    close: async () => {
      for (const p of [...pairs]) end(p);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
