// Finding an interpreter on the server's PATH without running it: the first executable of that
// name, resolved to its real file. The real path matters to the namespace sandbox, which shows an
// interpreter's install prefix when it lives outside /usr (sandbox/namespace/host-view.ts).
import { findExecutable } from '../executables.js';

/** The real path of `name` found on PATH, or undefined. */
export function onPath(name: string, path?: string): string | undefined {
  return findExecutable(name, { path, real: true });
}
