// Reading a request body with a hard cap: past the cap the rest is read and discarded (to learn the
// size a runtime tried to post), up to a drain limit past which reading stops. A body that breaks
// off (the client closed, Node's request timeout) rejects with ClientGone.
import type { IncomingMessage } from 'node:http';
import { ClientGone } from './boundary.js';
import { DRAIN_LIMIT_BYTES } from './limits.js';

export type BodyResult =
  | { readonly ok: true; readonly body: Buffer }
  /** Over the cap: `size` bytes seen; `cut` when reading stopped at the drain limit (there was more). */
  | { readonly ok: false; readonly size: number; readonly cut: boolean };

export function readBody(req: IncomingMessage, limit: number, drainLimit = DRAIN_LIMIT_BYTES): Promise<BodyResult> {
  // With a Content-Length within the cap, the body is copied into one buffer of that size as it
  // comes: a 6 MB error body is then 6 MB, not 6 MB of chunks and then 6 MB more to join them.
  // Allocated with the first bytes, not on the headers (a body never started holds nothing); the
  // body gate keeps it to one such buffer per environment.
  const declared = declaredLength(req);
  const copying = declared !== undefined && declared > 64 * 1024 && declared <= limit;
  let into: Buffer | undefined;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      if (copying && !into) into = Buffer.allocUnsafeSlow(declared);
      if (into && size + chunk.length <= into.length) chunk.copy(into, size);
      size += chunk.length;
      if (into) {
        // copied above; past the declared length (cannot happen with Node's parser) it is over the cap
      } else if (size <= limit) chunks.push(chunk);
      else if (chunks.length) chunks.length = 0; // over the cap: stop keeping bytes
      if (size > drainLimit) {
        stop();
        req.pause();
        resolve({ ok: false, size, cut: true });
      }
    };
    const onEnd = () => {
      stop();
      if (size > limit) resolve({ ok: false, size, cut: false });
      else if (into) resolve({ ok: true, body: size === into.length ? into : into.subarray(0, size) });
      else resolve({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    };
    const onError = () => {
      stop();
      reject(new ClientGone('the request body broke off'));
    };
    const onClose = () => {
      if (!req.complete) onError();
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

/** The Content-Length a request declares; undefined when it has none (chunked) or it is not a plain number. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  return raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
}
