// The SandboxBackend seam: how an execution environment's process is isolated. A backend knows
// nothing of functions or the Runtime API's meaning; it lays out a private folder, starts one
// command with limits, reports its end and its memory, and kills it (with everything it started).
import type { ListenOptions } from 'node:net';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { PrestartPool } from './prestart/pool.js';
import type { EgressPolicy } from './namespace/egress.js';

export interface SandboxLimits {
  readonly memoryMb: number;
  /** Size of the private /tmp, MB (Lambda's EphemeralStorage). */
  readonly tmpMb: number;
  /** Most processes/threads the environment may have (fork bombs stop here). */
  readonly pids: number;
  /** Where its packets may go (namespace backend, isolated network); undefined: public only. */
  readonly egress?: EgressPolicy;
}

/** Where things are, as the process inside sees them and as the host sees them. */
export interface SandboxLayout {
  /** The private folder on the host holding everything of this environment. */
  readonly workDir: string;
  /** The function's code as the process sees it (LAMBDA_TASK_ROOT). */
  readonly taskRoot: string;
  /** The same folder as the host sees it. */
  readonly hostTaskRoot: string;
  /** lambkin's runtimes/ folder (the bootstraps) as the process sees it. */
  readonly runtimeDir: string;
  /** The function's layers merged, as the process sees them (/opt); undefined: it has none. */
  readonly optDir?: string;
  /** The private scratch folder as the process sees it (TMPDIR). */
  readonly tmpDir: string;
  /** Where the host must listen for this environment's Runtime API. */
  readonly listen: ListenOptions;
  /** AWS_LAMBDA_RUNTIME_API as seen inside, given the address the host ended up listening on. */
  runtimeApiAddress(bound: string | { address: string; port: number }): string;
  /**
   * The host's Runtime API unix socket as the process sees it, when the sandbox shows it inside
   * (behind the TCP forwarder of AWS_LAMBDA_RUNTIME_API). lambkin's own bootstraps connect to it
   * directly: the forwarder costs two extra process hops on every message.
   */
  readonly runtimeApiSocket?: string;
  /**
   * When the sandbox has a network of its own: the host path of a unix socket that the sandbox
   * relays to 127.0.0.1:LaunchSpec.debugPort inside (a debugger's way in). Undefined: the sandbox
   * shares the host's network, and a runtime's debug port is on the host's loopback already.
   */
  readonly debugSocket?: string;
}

export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  /** The whole environment of the process: nothing else is inherited. */
  readonly env: Readonly<Record<string, string>>;
  readonly limits: SandboxLimits;
  /** Give the process a pipe as stdin (a pre-started runtime reads its assignment there); else /dev/null. */
  readonly stdinPipe?: boolean;
  /** A debug environment: the runtime's debugger listens on 127.0.0.1 at this port (see SandboxLayout.debugSocket). */
  readonly debugPort?: number;
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
  /** Lines `name status` as the sandbox's external extensions exit (namespace backend). */
  readonly extensionExits?: Readable;
  /** The external extensions' stdout and stderr, apart from the runtime's (namespace backend). */
  readonly extensionOutput?: Readable;
  /** Set when started with LaunchSpec.stdinPipe. */
  readonly stdin?: Writable;
  readonly exited: Promise<ExitInfo>;
  /** SIGKILL the process and everything it started (frozen or not); idempotent. */
  kill(): void;
  /**
   * Freeze (true) every process of the sandbox — none of them gets CPU until thawed — or thaw it
   * (false). False when this sandbox cannot be frozen (no cgroup freezer on this machine); left
   * out by backends that never can.
   */
  freeze?(frozen: boolean): boolean;
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
  /**
   * Create the private folders (and a private copy or view of the code). codeDir undefined: an
   * empty code folder, filled later with fillCode() (a pre-started sandbox).
   */
  prepare(envId: string, codeDir: string | undefined, limits: SandboxLimits, layerDirs?: readonly string[]): Promise<SandboxLayout>;
  start(layout: SandboxLayout, spec: LaunchSpec): SandboxProcess;
  /** Remove everything prepare() made; called after the process has exited. */
  cleanup(layout: SandboxLayout): Promise<void>;
  /** Put a function's code into the empty code folder of a layout prepared without one. */
  fillCode?(layout: SandboxLayout, codeDir: string): Promise<void>;
  /** Put a function's layers, merged, into the empty /opt of a layout prepared without code. */
  fillOpt?(layout: SandboxLayout, layerDirs: readonly string[]): Promise<void>;
  /**
   * Give a prepared (maybe running) environment new limits, its egress policy included; throws (or
   * rejects) when the kernel refuses.
   */
  resize?(layout: SandboxLayout, limits: SandboxLimits): void | Promise<void>;
  /** The host now listens on layout.listen: let the sandbox's user reach it. */
  listening?(layout: SandboxLayout): void;
  /**
   * A connection to `port` on the sandbox's loopback (the Telemetry API's deliveries); throws when
   * this sandbox's network cannot be reached from the host.
   */
  connectInside?(layout: SandboxLayout, port: number): Duplex;
  /** Starts the external extensions in /opt/extensions beside the runtime (namespace backend). */
  readonly runsExtensions?: boolean;
  /** Sandboxes started ahead of demand, when this backend keeps some (prestart/pool.ts). */
  prestart?: PrestartPool;
}

/** The fd number the telemetry pipe has inside the process. */
export const TELEMETRY_FD = 3;
