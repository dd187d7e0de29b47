// How a runtime's process is started, in the words both sides use: the runtime catalogue says what
// to run given where things are (runtimes/catalogue.ts), and the pre-start pool starts it ahead of
// its function through the same call (sandbox/prestart/pool.ts). Types only, shared by the two
// folders that may not import each other.

export interface LaunchCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** Extra environment variables the runtime itself needs (not the function's). */
  readonly env: Readonly<Record<string, string>>;
}

/** Where things are as the runtime process sees them (inside its sandbox), and how it is limited. */
export interface LaunchPaths {
  /** The function's code folder (LAMBDA_TASK_ROOT). */
  readonly taskRoot: string;
  /** lambkin's runtimes/ folder, holding the bootstraps (LAMBDA_RUNTIME_DIR). */
  readonly runtimeDir: string;
  /**
   * Set when nothing outside the runtime enforces the memory limit (no cgroups): the runtime then
   * caps itself where it can (Node.js: --max-old-space-size), in MB.
   */
  readonly heapCapMb?: number;
  /** The function's memory setting, MB (runtimes that size their heap from it: Java). */
  readonly memoryMb?: number;
  /**
   * The Runtime API's unix socket as the process sees it, when the sandbox shows one: for a
   * bootstrap that takes it on its command line rather than from _LAMBKIN_RUNTIME_API_SOCKET
   * (Java: a JVM cannot take a variable out of its environment, so user code would see it).
   */
  readonly runtimeApiSocket?: string;
}

/** How a runtime is started ahead of its function (RuntimeSpec.prestart). */
export interface PrestartSupport {
  readonly startupVariables: RegExp;
  /**
   * Its command line depends on MemorySize even under cgroups (a JVM's heap size is fixed as it
   * starts): one shape per MemorySize.
   */
  readonly perMemorySize?: boolean;
  /**
   * What waits in the sandbox, when it is not the runtime itself: a launcher that starts the
   * runtime only once it has its function (a custom runtime's bootstrap is the function's own
   * program, which is not there before). Given the same paths as the runtime's own launch.
   */
  launch?(paths: LaunchPaths): LaunchCommand;
  /**
   * How the waiting process reads its function's environment on stdin: one JSON object (the
   * default, for lambkin's own bootstraps), or `shell`: lines a POSIX shell sources (`export K='v'`).
   */
  readonly handover?: 'json' | 'shell';
  /**
   * The waiting process execs the runtime only after the handover, with the function's
   * environment from its very start: what a process reads as it starts (LD_LIBRARY_PATH, PATH,
   * TZ, a layer's /opt/lib) then takes effect as in a normal start, and keeps no function out of the pool.
   */
  readonly execsAtHandover?: boolean;
}
