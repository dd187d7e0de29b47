// The bwrap command line of one environment. What the sandbox sees, all read-only unless said:
//   /usr, /bin /sbin /lib* (as the host has them), /etc minus secrets, with its own passwd/group
//   /proc (its own pid namespace), /dev (a minimal one: null, zero, random, urandom, tty, shm-less)
//   /tmp         a private tmpfs of EphemeralStorage MB, writable, gone with the sandbox
//   /var/task    the function's code (LAMBDA_TASK_ROOT)
//   /var/runtime lambkin's runtimes/ folder, the bootstraps (LAMBDA_RUNTIME_DIR)
//   /opt         the function's layers, merged (only when it has some)
//   /run/lambkin the Runtime API socket (isolated, none) and the environment file
//   the interpreter's install prefix when it lives outside /usr (host-view.ts)
// New pid, ipc, uts, cgroup (and, unless `host`, network) namespaces; the process runs as the
// environment's own uid with no capabilities and no_new_privs, in a session of its own, and dies
// with the server.
import type { NetworkMode } from './network.js';
import { INIT_SCRIPT, INNER_RUN_DIR } from './network.js';
import { etcMasks, interpreterArgs, systemArgs } from './host-view.js';

export const TASK_ROOT = '/var/task';
export const RUNTIME_DIR = '/var/runtime';
export const OPT_DIR = '/opt';
/** The fd bwrap reads the seccomp program from (0-3 are stdio and telemetry, 4-5 the network's). */
export const SECCOMP_FD = 6;

export interface BaseOptions {
  readonly network: NetworkMode;
  /** The server runs as root: bwrap mounts with real privileges and setpriv drops to the uid. */
  readonly root: boolean;
  /** An empty file and an empty folder to lay over secrets. */
  readonly emptyFile: string;
  readonly emptyDir: string;
  /** A resolv.conf to use instead of the host's (whose resolver is on the host loopback). */
  readonly resolvConf?: string;
  /** The hosts file shown at /etc/hosts (the host's, plus sandbox.localdomain: inside.ts). */
  readonly hosts?: string;
}

/** The part of the command line that is the same for every environment of this server. */
export function baseArgs(o: BaseOptions): string[] {
  const masks = etcMasks();
  return [
    '--die-with-parent', '--new-session',
    '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
    ...(o.network === 'host' ? [] : ['--unshare-net']),
    // Root: the command (setpriv) keeps only what it needs to drop to the environment's uid.
    // Not root: bwrap needs a user namespace to mount; the sandbox may not make more of them.
    ...(o.root
      ? ['--cap-drop', 'ALL', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_SETPCAP']
      : ['--unshare-user', '--disable-userns']),
    '--hostname', 'localhost',
    '--clearenv',
    ...systemArgs(),
    '--ro-bind', '/etc', '/etc',
    ...masks.files.flatMap((f) => ['--ro-bind', o.emptyFile, f]),
    ...masks.dirs.flatMap((d) => ['--ro-bind', o.emptyDir, d]),
    ...(o.resolvConf ? ['--ro-bind', o.resolvConf, '/etc/resolv.conf'] : []),
    ...(o.hosts ? ['--ro-bind', o.hosts, '/etc/hosts'] : []),
    '--proc', '/proc',
    '--dev', '/dev',
  ];
}

export interface EnvArgs {
  readonly uid: number;
  readonly tmpBytes: number;
  readonly codeDir: string;
  /** The merged layers, shown at /opt. */
  readonly optDir?: string;
  readonly bootstrapRoot: string;
  /** Host folder shown at /run/lambkin. */
  readonly runDir: string;
  readonly passwd: string;
  readonly group: string;
  readonly setpriv?: string;
  /** The forwarder to start inside (isolated, none). */
  readonly socat?: string;
  /** Ask the host for egress before the runtime runs (bwrap --info-fd 4 tells it the pid; fd 5 talks). */
  readonly egress: boolean;
  /** A debug environment's port inside, relayed from /run/lambkin/debug/debug.sock (network.ts). */
  readonly debugPort?: number;
  /** The host folder shown writable at /run/lambkin/debug, where that relay makes its socket. */
  readonly debugDir?: string;
  /** Load the seccomp filter from fd SECCOMP_FD (seccomp/index.ts). */
  readonly seccomp: boolean;
  readonly command: string;
  readonly args: readonly string[];
}

export function envArgs(base: readonly string[], e: EnvArgs): string[] {
  const dropPrivileges = e.setpriv
    ? [e.setpriv, `--reuid=${e.uid}`, `--regid=${e.uid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--']
    : [];
  return [
    ...base,
    '--ro-bind', e.passwd, '/etc/passwd',
    '--ro-bind', e.group, '/etc/group',
    '--perms', '1777', '--size', String(e.tmpBytes), '--tmpfs', '/tmp',
    // bwrap makes missing parents 0700; the sandbox's user must traverse these.
    '--perms', '0755', '--dir', '/var', '--perms', '0755', '--dir', '/run',
    '--ro-bind', e.codeDir, TASK_ROOT,
    ...(e.optDir ? ['--ro-bind', e.optDir, OPT_DIR] : []),
    '--ro-bind', e.bootstrapRoot, RUNTIME_DIR,
    '--ro-bind', e.runDir, INNER_RUN_DIR,
    ...(e.debugDir ? ['--bind', e.debugDir, `${INNER_RUN_DIR}/debug`] : []),
    ...interpreterArgs(e.command),
    '--chdir', TASK_ROOT,
    ...(e.egress ? ['--info-fd', '4'] : []),
    ...(e.seccomp ? ['--seccomp', String(SECCOMP_FD)] : []),
    '--',
    ...dropPrivileges,
    '/bin/sh', '-c', INIT_SCRIPT, 'lambkin-init', e.egress ? 'net' : '-', e.socat ?? '-',
    e.debugPort !== undefined && e.debugDir && e.socat ? String(e.debugPort) : '-', e.socat ?? '-', e.command, ...e.args,
  ];
}
