// If the server dies without stopping its environments (SIGKILL, a crash), its idle environments
// stay frozen: a frozen process does not even die of the SIGKILL its sandbox gets when its parent
// dies (bwrap --die-with-parent, cgroup v1), and a frozen runtime never notices that its Runtime
// API is gone. So a small shell starts with the server and waits for its end — EOF on its stdin,
// which the kernel closes however the server ends — then thaws every environment cgroup of this
// server, whose processes then end as they would have unfrozen. The next server start sweeps
// whatever is still left (sweep.ts).
import { spawn } from 'node:child_process';

export interface ThawGuard {
  /** The server is stopping cleanly (its environments are gone): let the guard go. */
  close(): void;
}

/** Thaw `<root>/*\/<file>` (writing `value`) once this process has ended. */
export function thawOnExit(root: string, file: string, value: string): ThawGuard {
  const script = 'read _; for f in "$1"/*/"$2"; do [ -e "$f" ] && echo "$3" > "$f"; done; exit 0';
  let child;
  try {
    child = spawn('/bin/sh', ['-c', script, 'lambkin-thaw-guard', root, file, value], {
      stdio: ['pipe', 'ignore', 'ignore'],
      // Its own process group: a Ctrl-C meant for the server must not end the guard first.
      detached: true,
    });
  } catch {
    return { close: () => undefined }; // no guard: the next start's sweep is the fallback
  }
  child.on('error', () => undefined);
  const stdin = child.stdin!;
  stdin.on('error', () => undefined);
  // Neither the guard nor its pipe keeps the server's event loop alive.
  child.unref();
  (stdin as unknown as { unref?: () => void }).unref?.();
  return { close: () => stdin.end() };
}
