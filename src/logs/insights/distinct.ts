// count_distinct: exact (a set of the values) up to EXACT_DISTINCT of them, then a HyperLogLog
// estimate (2^14 one-byte registers, ~0.8 % standard error) so that a group never holds more.
import { toText, type Value } from './values.js';

export const EXACT_DISTINCT = 10_000;
const P = 14;
const M = 1 << P;

export class DistinctCounter {
  private exact: Set<string> | undefined = new Set();
  private registers: Uint8Array | undefined;

  add(v: Value): void {
    const s = toText(v);
    if (s === undefined) return;
    if (this.exact) {
      this.exact.add(s);
      if (this.exact.size <= EXACT_DISTINCT) return;
      this.registers = new Uint8Array(M);
      for (const x of this.exact) this.hll(x);
      this.exact = undefined;
      return;
    }
    this.hll(s);
  }

  count(): number {
    if (this.exact) return this.exact.size;
    const r = this.registers!;
    let sum = 0;
    let zeros = 0;
    for (const x of r) {
      sum += 2 ** -x;
      if (x === 0) zeros++;
    }
    const estimate = ((0.7213 / (1 + 1.079 / M)) * M * M) / sum;
    return Math.round(estimate <= 2.5 * M && zeros > 0 ? M * Math.log(M / zeros) : estimate);
  }

  private hll(s: string): void {
    const h = hash(s);
    const index = h >>> (32 - P);
    const rest = (h << P) >>> 0;
    const rank = rest === 0 ? 32 - P + 1 : Math.clz32(rest) + 1;
    if (rank > this.registers![index]!) this.registers![index] = rank;
  }
}

/** 32-bit FNV-1a with a final mix (murmur3's), spread enough for the registers. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
