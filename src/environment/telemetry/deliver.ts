// One POST of a batch to a listener in the sandbox, over a connection the sandbox backend gives
// (connectInside). Written by hand (HTTP/1.1, Connection: close): the connection may be a relay's
// pipes, not a socket. Resolves true on a 2xx answer, false on anything else — an error, a
// refusal, or no answer within DELIVERY_TIMEOUT_MS; never rejects.
import type { Duplex } from 'node:stream';

export const DELIVERY_TIMEOUT_MS = 5_000;

export function deliver(connect: () => Duplex, hostHeader: string, path: string, body: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    let conn: Duplex;
    try {
      conn = connect();
    } catch {
      resolve(false);
      return;
    }
    let answer = '';
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), DELIVERY_TIMEOUT_MS);
    conn.on('error', () => done(false));
    conn.on('close', () => done(/^HTTP\/1\.[01] 2\d\d/.test(answer)));
    conn.on('data', (chunk: Buffer) => {
      // Only the status line matters: keep its first bytes.
      if (answer.length < 64) answer += chunk.toString('latin1');
      if (/^HTTP\/1\.[01] \d{3}/.test(answer)) done(/^HTTP\/1\.[01] 2\d\d/.test(answer));
    });
    conn.write(`POST ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
    conn.write(body);
  });
}
