// The SandboxBackend seam: how an execution environment's process is isolated. A backend knows
// nothing of functions or the Runtime API's meaning; it lays out a private folder, starts one
// command with limits, reports its end and its memory, and kills it (with everything it started).
import type { ListenOptions } from 'node:net';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { EgressPolicy } from '../egress.js';
import type { LaunchCommand, LaunchPaths, PrestartSupport } from '../launch.js';

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
  /**
   * memory()'s peakBytes alone: every invocation's REPORT reads it, on the way to the caller's
   * answer, and a cgroup's current usage is one more file read it does not need.
   */
  peakBytes?(): number | undefined;
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
  /**
   * Sandboxes started ahead of demand: set on a backend wrapped by prestart/backend.ts
   * (withPrestart), which keeps them for any backend that can fill code in later (fillCode).
   */
  readonly prestart?: Prestarter;
}

/**
 * What the pre-start pool needs of a runtime: how to start it given where things are, and which
 * start-up variables it reads. runtimes/catalogue.ts's RuntimeSpec is one; the sandbox knows no more.
 */
export interface PrestartRuntime {
  /** Runtimes of one family share an interpreter, so one spare serves all of them. */
  readonly family: string;
  /**
   * Set when the runtime can be started ahead of its function (it then waits on stdin for its
   * environment). startupVariables: the function variables the interpreter reads as it starts,
   * which a pre-started one would miss (such a function starts on its own).
   */
  readonly prestart?: PrestartSupport;
  launch(paths: LaunchPaths): LaunchCommand;
}

/** What an environment asks of the pool: a sandbox for this runtime, these limits, this function. */
export interface PrestartRequest {
  readonly runtime: PrestartRuntime;
  readonly limits: SandboxLimits;
  /** The runtime's own heap cap (no cgroups): part of its command line, so part of the shape. */
  readonly heapCapMb?: number;
  readonly functionEnv: Readonly<Record<string, string>>;
  /**
   * The function's layers. A layer with a lib/ folder is not served from the pool: LD_LIBRARY_PATH
   * (/opt/lib) is read by the dynamic loader as the process starts, which would come too late.
   */
  readonly layerDirs?: readonly string[];
}

/** A pre-started sandbox handed to one environment. */
export interface Prestarted {
  /** The id it was prepared under (its folders and cgroup are named after it): the environment's id. */
  readonly id: string;
  readonly layout: SandboxLayout;
  /** Put the function's code, layers and limits in place. False when that failed: the sandbox is then gone. */
  claim(codeDir: string, limits: SandboxLimits, layerDirs?: readonly string[]): Promise<boolean>;
  /** Give the runtime its environment (call once the host listens): from here on it is the function's. */
  assign(env: Readonly<Record<string, string>>): SandboxProcess;
  /** Kill and remove it (a launch that stopped before assigning). */
  discard(): Promise<void>;
}

/** What the scheduler tells the pool about the server (configure()). */
export interface PrestartTuning {
  /** A burst of cold starts keeps its number of spares ready this long (the server's idle timeout). */
  readonly demandWindowMs?: number;
  /**
   * MB of the server's memory budget not taken by environments: spares beyond one per shape
   * count their shape's MemorySize against it, and are not started when they would not fit.
   */
  readonly roomMb?: () => number;
}

/** What a user can see of the pool: its spares per shape and how cold starts fared. */
export interface PrestartStats {
  /** Cold starts served by a spare, and those that found none. */
  readonly hits: number;
  readonly misses: number;
  readonly shapes: readonly { readonly shape: string; readonly ready: number; readonly depth: number }[];
}

/** The pre-start pool as its users see it (prestart/pool.ts is the one implementation). */
export interface Prestarter {
  /** A function of this shape was just deployed: have a spare ready for its first invoke. */
  prepare(req: PrestartRequest): void;
  /** A pre-started sandbox for this request, or undefined (start one the usual way). */
  take(req: PrestartRequest): Prestarted | undefined;
  configure(tuning: PrestartTuning): void;
  stats(): PrestartStats;
}

/** The fd number the telemetry pipe has inside the process. */
export const TELEMETRY_FD = 3;
