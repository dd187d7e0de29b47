// Finding a program on the server's PATH without running it: the first executable file of that
// name. One helper for the sandbox's tool probes (which also look in the system folders where
// tools such as nft and setpriv live, whatever PATH says), the runtime catalogue's interpreters
// (resolved to their real file: the namespace sandbox shows an interpreter's install prefix when
// it lives outside /usr) and the CLI's checks. Cached: PATH does not change under a process.
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const SYSTEM_DIRS = ['/usr/bin', '/usr/sbin', '/bin', '/sbin'];

export interface FindOptions {
  /** The folders to look in, PATH-style; default the process's PATH. */
  readonly path?: string;
  /** Look in /usr/bin, /usr/sbin, /bin and /sbin too, after PATH. */
  readonly systemDirs?: boolean;
  /** Answer the real file (symbolic links resolved) rather than where it was found. */
  readonly real?: boolean;
}

const found = new Map<string, string | undefined>();

/** Where `name` is, or undefined. */
export function findExecutable(name: string, opts: FindOptions = {}): string | undefined {
  const path = opts.path ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
  const key = `${name}\0${path}\0${opts.systemDirs === true}\0${opts.real === true}`;
  if (found.has(key)) return found.get(key);
  let result: string | undefined;
  for (const dir of path.split(delimiter).concat(opts.systemDirs ? SYSTEM_DIRS : [])) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      result = opts.real ? realpathSync(candidate) : candidate;
      break;
    } catch {
      // not here
    }
  }
  found.set(key, result);
  return result;
}
