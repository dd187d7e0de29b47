// An environment's network. `isolated`: a network namespace of its own, in which its Runtime API
// appears at 127.0.0.1:9001 as in a Lambda microVM (a forwarder, socat, relays that port to the
// host's unix socket bound into the sandbox), and egress goes out through slirp4netns, user-mode
// networking that refuses the host's loopback. `none`: the same without egress. `host`: the
// host's network (the Runtime API on a host loopback port; anything on the host loopback is
// reachable). The forwarder and slirp are up before the runtime runs: the init script asks the host
// for the network over fd 5 and waits for the answer (bwrap's --block-fd would release the sandbox
// too early: bwrap configures the namespace's loopback after reporting its pid, and slirp4netns
// attaching meanwhile makes that fail now and then).
import type { ChildProcess } from 'node:child_process';
import { spawnChild } from '../child.js';
import { NETWORK_MODES, type NetworkMode } from '../../settings.js';

// The list of modes is one of the server's settings (src/settings.ts); re-exported for this folder.
export { NETWORK_MODES, type NetworkMode };

/** Where the host's Runtime API socket appears inside the sandbox. */
export const INNER_RUN_DIR = '/run/lambkin';
export const RUNTIME_API_PORT = 9001;
/** The pipe on which the init script tells the host that an external extension exited: `name status`. */
export const EXTENSION_EXITS_FD = 7;
/** Their stdout and stderr, kept apart from the runtime's (the Telemetry API's `extension` stream). */
export const EXTENSION_OUTPUT_FD = 8;

/**
 * The first thing run inside, as the sandbox's user. $1 = `net`: ask the host (fd 5) to attach
 * slirp and wait for its answer. $2 = the forwarder's path: start it and wait until it listens —
 * read from /proc/net/tcp with shell builtins only, no busy forks. $3 = a debug port or `-`, $4 =
 * socat: a debug environment's relay, a unix socket in /run/lambkin/debug (the host connects to it,
 * and only the host can: /run/lambkin is the server's, in a 0700 folder) forwarding to that port. Then load the function's
 * environment and exec the runtime. The environment is loaded only now, after privileges are
 * dropped, so that nothing the function sets (LD_PRELOAD, …) ever reaches a privileged process.
 * External extensions (every executable in /opt/extensions) start just before the runtime, in the
 * same sandbox, writing to fd 8; when one exits, its name and status go to the host on fd 7.
 */
export const INIT_SCRIPT = `
if [ "$1" = net ]; then
  echo up >&5 && read -r answer <&5 || answer=none
  exec 5<&-
  [ "$answer" = ok ] || { echo "lambkin: the environment's network could not be set up" >&2; exit 125; }
fi
shift
listening() {
  while read -r _ a _ s _; do
    [ "$a" = 0100007F:2329 ] && [ "$s" = 0A ] && return 0
  done </proc/net/tcp
  return 1
}
if [ "$1" != - ]; then
  "$1" TCP-LISTEN:${RUNTIME_API_PORT},bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:${INNER_RUN_DIR}/runtime-api.sock </dev/null >/dev/null 2>&1 3>&- 7>&- 8>&- &
  f=$!
  until listening; do
    kill -0 $f 2>/dev/null || { echo "lambkin: the Runtime API forwarder ($1) failed to start" >&2; exit 125; }
  done
fi
shift
if [ "$1" != - ]; then
  "$2" UNIX-LISTEN:${INNER_RUN_DIR}/debug/debug.sock,fork TCP:127.0.0.1:$1 </dev/null >/dev/null 2>&1 3>&- 7>&- 8>&- &
fi
shift 2
. ${INNER_RUN_DIR}/env
for x in /opt/extensions/*; do
  [ -f "$x" ] && [ -x "$x" ] || continue
  ( cd /opt && "$x" </dev/null >&8 2>&8 3>&- 7>&- 8>&-; echo "\${x##*/} $?" >&7 ) 3>&- &
done
exec "$@" 7>&- 8>&-
`;

/** The function's environment as a file the init script sources: `export K='v'`, quoted safely. */
export function envScript(env: Readonly<Record<string, string>>): string {
  const lines = ['unset PWD']; // dash exports its own PWD; the environment given has the last word
  for (const [key, value] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`environment variable name '${key}' is not valid`);
    lines.push(`export ${key}='${value.replaceAll("'", `'\\''`)}'`);
  }
  return lines.join('\n') + '\n';
}

export interface Slirp {
  /** Resolves once the sandbox's tap0 is up and configured (10.0.2.100/24, gateway 10.0.2.2, DNS 10.0.2.3). */
  readonly ready: Promise<void>;
  kill(): void;
}

/**
 * slirp4netns for the network namespace of `pid`. --disable-host-loopback: 10.0.2.2 does not lead to
 * the host's 127.0.0.1. --enable-sandbox/--enable-seccomp: slirp parses the function's packets, so
 * it runs in a mount namespace of its own, without capabilities, with a syscall filter.
 * --exit-fd: it ends by itself when this server dies (the pipe's other end closes).
 */
export function startSlirp(slirpPath: string, pid: number): Slirp {
  const child: ChildProcess = spawnChild('the network helper', slirpPath, [
    '--configure', '--mtu=65520', '--disable-host-loopback', '--enable-sandbox', '--enable-seccomp',
    '--ready-fd=3', '--exit-fd=4', String(pid), 'tap0',
  ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], env: {} });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    if (stderr.length < 4096) stderr += c.toString();
  });
  const ready = new Promise<void>((resolve, reject) => {
    (child.stdio[3] as NodeJS.ReadableStream).once('data', () => resolve());
    child.once('error', (err) => reject(new Error(`slirp4netns could not be started: ${err.message}`)));
    child.once('exit', (code, signal) => reject(new Error(`slirp4netns exited (${signal ?? `code ${code}`}) before the network was up: ${stderr.trim()}`)));
  });
  ready.catch(() => undefined);
  // The exit pipe must stay open (and readable by nobody) for slirp to keep running.
  (child.stdio[4] as NodeJS.ReadableStream).on('error', () => undefined);
  return {
    ready,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
