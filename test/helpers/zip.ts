// Build code packages in memory, as a user's zip tool would.
import { zipSync, type Zippable } from 'fflate';

const MTIME = new Date('2024-01-01T00:00:00Z');

export type Files = Record<string, string | Uint8Array | { content: string | Uint8Array; mode: number }>;

export function zip(files: Files): Uint8Array {
  const tree: Zippable = {};
  for (const [path, value] of Object.entries(files)) {
    const entry = typeof value === 'object' && 'mode' in value ? value : { content: value, mode: 0o644 };
    const data = typeof entry.content === 'string' ? new TextEncoder().encode(entry.content) : entry.content;
    // Unix "made by" with the mode in the high 16 bits of the external attributes.
    tree[path] = [data, { os: 3, attrs: ((0o100000 | entry.mode) << 16) >>> 0 }];
  }
  // A fixed time: the same files make the same bytes (and CodeSha256) on every call.
  return zipSync(tree, { mtime: MTIME });
}
