// The SandboxBackend seam: how an execution environment's process is isolated. A backend knows
// nothing of functions or the Runtime API's meaning; it lays out a private folder, starts one
// command with limits, reports its end and its memory, and kills it (with everything it started).
import type { ListenOptions } from 'node:net';
import type { Readable } from 'node:stream';

export interface SandboxLimits {
  readonly memoryMb: number;
  /** Size of the private /tmp, MB (Lambda's EphemeralStorage). */
  readonly tmpMb: number;
  /** Most processes/threads the environment may have (fork bombs stop here). */
  readonly pids: number;
}

/** Where things are, as the process inside sees them and as the host sees them. */
export interface SandboxLayout {
  /** The private folder on the host holding everything of this environment. */
  readonly workDir: string;
  /** The function's code as the process sees it (LAMBDA_TASK_ROOT). */
  readonly taskRoot: string;
  /** lambkin's runtimes/ folder (the bootstraps) as the process sees it. */
  readonly runtimeDir: string;
  /** The private scratch folder as the process sees it (TMPDIR). */
  readonly tmpDir: string;
  /** Where the host must listen for this environment's Runtime API. */
  readonly listen: ListenOptions;
  /** AWS_LAMBDA_RUNTIME_API as seen inside, given the address the host ended up listening on. */
  runtimeApiAddress(bound: string | { address: string; port: number }): string;
}

export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  /** The whole environment of the process: nothing else is inherited. */
  readonly env: Readonly<Record<string, string>>;
  readonly limits: SandboxLimits;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when the memory limit killed it (cgroup OOM), when the backend can tell. */
  readonly oomKilled: boolean;
}

export interface MemoryUse {
  readonly currentBytes: number;
  /** Peak since start, or since the last resetPeak(). */
  readonly peakBytes: number;
}

export interface SandboxProcess {
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** The runtime's framed log pipe (_LAMBDA_TELEMETRY_LOG_FD, fd 3 inside). */
  readonly telemetry: Readable;
  readonly exited: Promise<ExitInfo>;
  /** SIGKILL the process and everything it started; idempotent. */
  kill(): void;
  memory(): MemoryUse | undefined;
  resetPeak(): void;
}

export interface SandboxBackend {
  readonly name: string;
  /**
   * True when the memory limit is enforced from outside the process (a cgroup): exceeding it kills
   * the environment. False: the runtime must cap itself (LaunchPaths.heapCapMb).
   */
  readonly enforcesMemory: boolean;
  /** Create the private folders (and a private copy or view of the code). */
  prepare(envId: string, codeDir: string, limits: SandboxLimits): Promise<SandboxLayout>;
  start(layout: SandboxLayout, spec: LaunchSpec): SandboxProcess;
  /** Remove everything prepare() made; called after the process has exited. */
  cleanup(layout: SandboxLayout): Promise<void>;
}

/** The fd number the telemetry pipe has inside the process. */
export const TELEMETRY_FD = 3;
