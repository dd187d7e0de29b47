// Custom runtimes (`provided`, `provided.al2`, `provided.al2023`): the package's own executable
// `bootstrap` is the runtime. lambkin starts it with the Runtime API environment and nothing else.
// The package is checked on the host before anything starts, so that a missing or non-executable
// bootstrap is a clear Runtime.InvalidEntrypoint at invoke instead of a shell's "exit status 127".
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { RuntimeSpec } from './catalogue.js';

/**
 * What waits in a pre-started sandbox of a custom runtime (sandbox/prestart/pool.ts): the sandbox
 * is up (namespaces, cgroup, /tmp, network, the Runtime API forwarder) but the bootstrap is the
 * function's own file, not there yet. A POSIX shell waits, started through `env -i` with no
 * environment but the pool's marker (so that nothing of the sandbox's start-up environment is
 * left), for its function's environment on stdin as `export K='v'` lines (the pool's `shell`
 * handover), read with the shell's own `read` so that no other process starts in the sandbox
 * meanwhile (the function would find its pids taken). It then does what the sandbox's start
 * script does for a runtime started for its function (sandbox/namespace/network.ts): runs those
 * lines and execs the bootstrap, in the same process — same pid and parent, argv, cwd (the task
 * root), fds (stdin /dev/null), and an environment holding exactly the function's variables, in
 * the order a shell that started with none gives them (its own variables are not exported; the
 * marker is unset first, which leaves the shell's variable table as a fresh one's).
 * Nothing written to stdin (the pool gave the sandbox up): exit.
 */
const LAUNCHER = `_lambkin_h=
while IFS= read -r _lambkin_l; do _lambkin_h="$_lambkin_h$_lambkin_l
"; done
_lambkin_h="$_lambkin_h$_lambkin_l"
[ -n "$_lambkin_h" ] || exit 0
exec </dev/null
unset _LAMBKIN_PRESTART _lambkin_l
eval "$_lambkin_h"
exec "$@"
`;

/** The pool's marker (sandbox/prestart/pool.ts, PRESTART_VARIABLE), kept while the launcher waits. */
const MARKER = '_LAMBKIN_PRESTART=1';

/** Its $0: how the pool's waiting launchers are told apart in a process list. */
export const PRESTART_LAUNCHER_NAME = 'lambkin-prestart';

const bootstrapOf = (taskRoot: string): string => join(taskRoot, 'bootstrap');

export const PROVIDED: RuntimeSpec = {
  ids: ['provided', 'provided.al2', 'provided.al2023'],
  family: 'provided',
  name: 'Custom (provided)',
  launch: ({ taskRoot }) => ({ command: bootstrapOf(taskRoot), args: [], env: {} }),
  prestart: {
    startupVariables: /$^/, // none: the bootstrap starts only after the handover (execsAtHandover)
    handover: 'shell',
    execsAtHandover: true,
    launch: ({ taskRoot }) => ({
      command: '/usr/bin/env', args: ['-i', MARKER, '/bin/sh', '-c', LAUNCHER, PRESTART_LAUNCHER_NAME, bootstrapOf(taskRoot)], env: {},
    }),
  },
  missing: () => undefined,
  checkPackage: (codeDir) => bootstrapProblem(join(codeDir, 'bootstrap')),
};

/** undefined when `file` can be executed as a bootstrap, else a sentence naming the problem. */
export function bootstrapProblem(file: string): string | undefined {
  let st;
  try {
    st = statSync(file);
  } catch {
    return 'the package has no file named bootstrap at its root (a custom runtime starts /var/task/bootstrap; ' +
      'for provided runtimes the package must hold an executable bootstrap)';
  }
  if (!st.isFile()) return 'bootstrap at the package root is not a regular file';
  if ((st.mode & 0o111) === 0) {
    return `bootstrap is not executable (mode ${(st.mode & 0o777).toString(8)}): chmod 755 bootstrap before zipping`;
  }
  const interpreter = shebang(file);
  if (interpreter && isAbsolute(interpreter)) {
    try {
      statSync(interpreter);
    } catch {
      return `bootstrap starts with #!${interpreter}, which does not exist on this server`;
    }
  }
  return undefined;
}

/** The interpreter named on a `#!` first line, if any. */
function shebang(file: string): string | undefined {
  const buf = Buffer.alloc(256);
  let n = 0;
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    n = readSync(fd, buf, 0, buf.length, 0);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const head = buf.subarray(0, n).toString('latin1');
  if (!head.startsWith('#!')) return undefined;
  return head.slice(2).split('\n')[0]!.trim().split(/\s+/)[0];
}
