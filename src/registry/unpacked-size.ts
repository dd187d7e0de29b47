// How many bytes an unpacked package holds (its regular files), for the 250 MB limit on a
// function's code and layers together. A hash's folder never changes, so each is measured once.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const measured = new Map<string, number>();

export async function unpackedSize(dir: string): Promise<number> {
  const known = measured.get(dir);
  if (known !== undefined) return known;
  const size = await walk(dir);
  measured.set(dir, size);
  return size;
}

async function walk(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await walk(path);
    else if (entry.isFile()) total += (await lstat(path)).size;
  }
  return total;
}
