// Random hex for ids made on every invocation (request ids, trace ids), drawn from one pool that a
// single randomFillSync refills: a crypto call per id cost ~20 µs of the hot path.
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.alloc(4096);
let at = POOL.length;

/** `bytes` random bytes (at most 4,096) as 2 × `bytes` hex digits. */
export function randomHex(bytes: number): string {
  if (at + bytes > POOL.length) {
    randomFillSync(POOL);
    at = 0;
  }
  return POOL.toString('hex', at, (at += bytes));
}
