// Reading a request body with a hard cap: past the cap the rest is drained and discarded.
import type { IncomingMessage } from 'node:http';

export type BodyResult = { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly size: number };

export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (chunks.length) chunks.length = 0; // over the cap: stop keeping bytes
    });
    req.once('end', () =>
      resolve(size <= limit ? { ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) } : { ok: false, size }),
    );
    req.once('error', reject);
  });
}
