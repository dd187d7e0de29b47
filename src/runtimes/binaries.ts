// Finding an interpreter on the server's PATH without running it: the first executable of that
// name, resolved to its real file. The real path matters to the namespace sandbox, which shows an
// interpreter's install prefix when it lives outside /usr (sandbox/namespace/host-view.ts).
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const found = new Map<string, string | undefined>();

/** The real path of `name` found on PATH, or undefined. Cached: PATH does not change under a server. */
export function onPath(name: string, path: string = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'): string | undefined {
  const key = `${name}\0${path}`;
  if (found.has(key)) return found.get(key);
  let result: string | undefined;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      result = realpathSync(candidate);
      break;
    } catch {
      // not here
    }
  }
  found.set(key, result);
  return result;
}
