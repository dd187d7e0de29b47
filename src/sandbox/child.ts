// What both backends share once a child process is running: its end (exit code or signal, and
// whether the memory limit killed it), its memory (from its cgroup, else from /proc), and a kill
// that takes everything it started. Also the launcher that puts a process into its cgroup
// *before* it runs anything, so that no fork can escape the limits.
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { ExitInfo, MemoryUse, SandboxProcess } from './types.js';
import type { EnvCgroup } from './cgroup/index.js';

export interface ChildOptions {
  readonly cgroup?: EnvCgroup;
  /** bwrap reports a command killed by signal N as exit code 128+N: read it back as the signal. */
  readonly signalFromCode?: boolean;
  /** Kill what else belongs to the sandbox (a network helper), on kill() and on exit. */
  readonly onEnd?: () => void;
  /** Replaces the child's stderr (to merge the backend's own diagnostics into it). */
  readonly stderr?: Readable;
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

/**
 * A shell that writes its pid into each cgroup.procs file given, then execs the command. The shell
 * exports a PWD of its own: unset unless the environment given has one.
 */
export function launcher(
  procsFiles: readonly string[], command: string, args: readonly string[], env: Readonly<Record<string, string>> = {},
): { command: string; args: string[] } {
  if (procsFiles.length === 0) return { command, args: [...args] };
  const script = ('PWD' in env ? '' : 'unset PWD; ') +
    'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';
  return { command: '/bin/sh', args: ['-c', script, 'lambkin-launch', ...procsFiles, '--', command, ...args] };
}

/**
 * spawn() whose failure never reaches the server as an unhandled 'error' event: the listener is
 * on before anything else can throw. Out of file descriptors (EMFILE/ENFILE) Node sets up no stdio
 * at all and would only say so in an 'error' event a tick later: that becomes a thrown Error here,
 * which the caller turns into a failed start (Runtime.InvalidEntrypoint). Any other failure (ENOENT,
 * EAGAIN) still arrives as 'error', which wrapChild reads as an exit.
 */
export function spawnChild(what: string, command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options);
  child.on('error', () => undefined);
  // (Every caller pipes some stdio: no stdio at all then means none could be made.)
  if (child.pid === undefined && !child.stdio) {
    throw new Error(`${what} (${basename(command)}) could not be started: the server has no file descriptors left (EMFILE/ENFILE). ` +
      'Something holds too many connections or files open; the next invoke tries again.');
  }
  return child;
}

export function wrapChild(child: ChildProcess, opts: ChildOptions = {}): SandboxProcess {
  const pid = child.pid ?? -1;
  const { cgroup } = opts;
  const readMemory = (): MemoryUse | undefined => cgroup?.memory() ?? treeMemory(pid);
  let final: MemoryUse | undefined;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    opts.onEnd?.();
  };
  const exited = new Promise<ExitInfo>((resolve) => {
    let done = false;
    const finish = (rawCode: number | null, rawSignal: NodeJS.Signals | null) => {
      if (done) return;
      done = true;
      let code = rawCode;
      let signal = rawSignal;
      if (opts.signalFromCode && signal === null && code !== null && code > 128 && SIGNAL_NAMES.has(code - 128)) {
        signal = SIGNAL_NAMES.get(code - 128)!;
        code = null;
      }
      // Read before anything is torn down: the REPORT of a killed invocation needs its peak.
      final = readMemory() ?? final;
      const oomKilled = signal === 'SIGKILL' && (cgroup?.oomKills() ?? 0) > 0;
      end();
      resolve({ code, signal, oomKilled });
    };
    child.once('exit', finish);
    // spawn failures (ENOENT, EACCES) arrive as 'error' without 'exit'
    child.once('error', () => finish(127, null));
  });
  let killed = false;
  return {
    pid,
    stdout: child.stdout!,
    stderr: opts.stderr ?? child.stderr!,
    telemetry: child.stdio[3] as Readable,
    stdin: child.stdin ?? undefined,
    exited,
    kill: () => {
      if (killed || pid < 0) return;
      killed = true;
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      end();
      void cgroup?.killAll();
    },
    freeze: (frozen) => !killed && (cgroup?.freeze(frozen) ?? false),
    memory: () => final ?? readMemory(),
    peakBytes: () => final?.peakBytes ?? (cgroup ? cgroup.peakBytes() : treeMemory(pid)?.peakBytes),
    resetPeak: () => cgroup?.resetPeak(),
  };
}

/**
 * Without a cgroup: the memory of the process and its descendants from /proc (VmRSS now, VmHWM
 * as the peak: summed over the tree, an upper bound, and never reset).
 */
export function treeMemory(root: number): MemoryUse | undefined {
  if (root < 0) return undefined;
  let current = 0;
  let peak = 0;
  let found = false;
  const queue = [root];
  for (let i = 0; i < queue.length && i < 256; i++) {
    const pid = queue[i]!;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'latin1');
      current += kb(status, 'VmRSS');
      peak += kb(status, 'VmHWM');
      found = true;
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim();
      if (children) for (const c of children.split(' ')) queue.push(Number(c));
    } catch {
      // exited meanwhile, or no children file (kernel without CONFIG_PROC_CHILDREN)
    }
  }
  return found ? { currentBytes: current, peakBytes: Math.max(peak, current) } : undefined;
}

function kb(status: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}
