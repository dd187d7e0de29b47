// The external extensions a function has: the executables its layers put in /opt/extensions,
// read on the host from the layer folders (the last layer wins for a name, as in the merged /opt).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Lambda runs at most 10 extensions per function. */
export const MAX_EXTENSIONS = 10;

export function externalExtensions(layerDirs: readonly string[] | undefined): string[] {
  const names = new Set<string>();
  for (const dir of layerDirs ?? []) {
    let entries: string[];
    try {
      entries = readdirSync(join(dir, 'extensions'));
    } catch {
      continue; // no extensions/ in this layer
    }
    for (const name of entries) {
      try {
        const st = statSync(join(dir, 'extensions', name));
        if (st.isFile() && (st.mode & 0o111) !== 0) names.add(name);
      } catch {
        // a dangling link: nothing the sandbox could run either
      }
    }
  }
  return [...names].sort();
}
