// One execution environment: a runtime process in its sandbox, its own Runtime API endpoint, its
// log stream. It serves one invocation at a time; its state machine (state.ts) refuses anything
// else. The scheduler decides when to create, use and stop environments; this file only obeys.
import { randomBytes } from 'node:crypto';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionRecord } from '../registry/types.js';
import type { RuntimeSpec } from '../runtimes/catalogue.js';
import type { SandboxBackend, SandboxLayout, SandboxProcess, ExitInfo, Prestarted } from '../sandbox/types.js';
import type { LogLevel, LogSink, PlatformMark } from '../logs/types.js';
import { checkTransition, type EnvState } from './state.js';
import { createRuntimeApiServer } from './runtime-api/routes.js';
import type { Refusal, RuntimeApiHost, RuntimeErrorBody } from './runtime-api/host.js';
import { MAX_RESPONSE_BYTES } from './runtime-api/host.js';
import { RUNTIME_API_LIMITS, runtimeApiLimits } from './runtime-api/limits.js';
import { runtimeEnvironment } from './env-vars.js';
import { captureFrames, captureLines, levelOf } from './log-capture.js';
import { Invocation, type InvocationInput, type InvocationResult, type RuntimeStream, errorPayload } from './invocation.js';
import { startLine } from '../logs/platform-lines.js';
import { IdleFreezer } from './idle-freeze.js';
import { heapCapOf, limitsOf, prestartRequest } from './sandbox-request.js';
import { Extensions } from './extensions/extensions.js';
import { externalExtensions } from './extensions/listed.js';
import { invokeEvent, watchExits } from './extensions/events.js';
import { ExtensionApi, type ExtensionApiEnv } from './extensions/api.js';
import { initEvents } from './telemetry/platform.js';
import { Telemetry } from './telemetry/telemetry.js';
import { debuggerDetached, setUpDebug, type DebugSetup } from './debug-relay.js';

/**
 * A debug environment's invocation may sit at a breakpoint: its timeout is suspended, up to this
 * bound (an hour), so that a forgotten session still ends.
 */
export const DEBUG_TIMEOUT_SECONDS = 3600;

/** What Lambda gives external extensions at shutdown (extensions.ts shutdown()). */
const SHUTDOWN_LIMIT_MS = 2_000;

export interface EnvironmentOptions {
  readonly fn: FunctionRecord;
  readonly runtime: RuntimeSpec;
  readonly backend: SandboxBackend;
  readonly logs: LogSink;
  readonly region: string;
  readonly initTimeoutMs: number;
  readonly initializationType?: 'on-demand' | 'provisioned-concurrency';
  /** Idle this long, it is frozen (idle-freeze.ts; default FREEZE_AFTER_MS); 'off': never. */
  readonly freezeAfterMs?: number | 'off';
  /** Called once when the environment has stopped and everything of it is gone. */
  readonly onStopped?: (env: ExecutionEnvironment) => void;
  /** Start the runtime with its debugger (runtimes/debug.ts), never from a pre-started sandbox. */
  readonly debug?: boolean;
}

export class ExecutionEnvironment implements RuntimeApiHost, ExtensionApiEnv {
  readonly id: string;
  readonly fn: FunctionRecord;
  readonly logStream: string;
  readonly createdAt = Date.now();
  state: EnvState = 'starting';
  /**
   * Settles once the environment leaves `starting` — initialised (idle or already busy) or stopping
   * because init failed: what the scheduler waits on instead of watching `state`.
   */
  readonly startSettled: Promise<void>;
  private settleStart!: () => void;
  invocationCount = 0;
  lastUsedAt = Date.now();
  /** Set when code or configuration changed: finish what runs, then stop. */
  retired = false;
  initMs: number | undefined;

  private readonly server: Server;
  private layout: SandboxLayout | undefined;
  private proc: SandboxProcess | undefined;
  private spawnedAt = 0;
  private nextRes: ServerResponse | undefined;
  private active: Invocation | undefined;
  private initTimer: NodeJS.Timeout | undefined;
  private reportedInitError: RuntimeErrorBody | undefined;
  private stopping: Promise<void> | undefined;
  private launching: Promise<void> | undefined;
  private lastMemoryMb = 0;
  private refusedConnections = 0;
  private readonly logsOn: boolean;
  /** A sandbox whose runtime is already up and waiting (sandbox/prestart/pool.ts), until handed its environment. */
  private pre: Prestarted | undefined;
  private debugSetup: DebugSetup | undefined;
  /** A debug environment: resolves with the host port its debugger is reachable on, once it is. */
  readonly debugPort: Promise<number> | undefined;
  private debugPortReady: ((port: number) => void) | undefined;
  private debugPortFailed: ((err: Error) => void) | undefined;
  /** Its sandbox was pre-started: its cold start cost only the function's own init. */
  readonly prestarted: boolean;
  /** Idle, it is frozen: nothing it left running gets CPU until its next invocation (idle-freeze.ts). */
  readonly freezer: IdleFreezer;
  /** Its extensions (Extensions API); init and each invocation end only when all are idle. */
  readonly extensions: Extensions;
  /** The Extensions and Telemetry APIs on its Runtime API listener (extensions/api.ts). */
  readonly extensionApi: ExtensionApi;
  /** The runtime has asked for its first event (init also waits for the extensions). */
  private runtimeReady = false;
  /** Telemetry API subscriptions of its extensions, and what is queued for them. */
  readonly telemetry: Telemetry;

  constructor(private readonly opts: EnvironmentOptions) {
    this.startSettled = new Promise<void>((resolve) => { this.settleStart = resolve; });
    this.fn = opts.fn;
    const { backend, runtime, fn } = opts;
    // Only a backend that starts them has any: else init would wait for extensions that never come.
    const external = backend.runsExtensions ? externalExtensions(fn.layerDirs) : [];
    this.extensions = new Extensions(external, {
      changed: () => this.extensionsChanged(), failed: (name, type, message) => this.extensionFailed(name, type, message),
    });
    // A pre-started sandbox started without the function's /opt: its extensions would not run. A
    // debug environment starts its runtime with the debugger.
    this.pre = external.length > 0 || opts.debug ? undefined : backend.prestart?.take(prestartRequest(backend, runtime, fn));
    if (opts.debug) {
      this.debugPort = new Promise((resolve, reject) => {
        this.debugPortReady = resolve;
        this.debugPortFailed = reject;
      });
      this.debugPort.catch(() => undefined);
    }
    // The sandbox's id is the environment's: its folders and cgroup are named after it either way.
    this.id = this.pre?.id ?? randomBytes(16).toString('hex');
    this.prestarted = this.pre !== undefined;
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    this.logStream = `${day}/[${opts.fn.version}]${this.id}`;
    this.server = createRuntimeApiServer(this, {
      label: `environment ${this.id} of ${fn.config.name}`,
      onConnectionRefused: () => this.connectionRefused(), limits: runtimeApiLimits(fn.config.timeout),
    });
    this.logsOn = opts.fn.config.loggingConfig.enabled;
    this.extensionApi = new ExtensionApi(this, backend);
    this.telemetry = new Telemetry({
      connect: (port) => {
        if (!this.layout || !backend.connectInside) throw new Error('no way into this sandbox');
        return backend.connectInside(this.layout, port);
      },
      canDeliver: () => !this.freezer.isFrozen,
      deliveryEnded: () => {
        if (this.state === 'idle' && !this.active) this.freezer.idle();
      },
      maySubscribe: () => this.extensions.hasExternal || this.extensions.count > 0,
    });
    this.freezer = new IdleFreezer({
      process: () => this.proc, idle: () => this.state === 'idle' && !this.active && !this.telemetry.delivering,
      polling: () => this.nextRes !== undefined && pollOpen(this.nextRes),
    }, opts.freezeAfterMs);
  }

  /** Lay out the sandbox, open the Runtime API and spawn the runtime. Init goes on in the background. */
  async start(): Promise<void> {
    try {
      this.launching = this.launch();
      await this.launching;
    } catch (err) {
      this.log(`lambkin: could not start the environment: ${(err as Error).message}`, 'ERROR');
      this.debugPortFailed?.(err as Error);
      this.failInit({ errorType: 'Runtime.InvalidEntrypoint', errorMessage: `The runtime could not be started: ${(err as Error).message}`, stackTrace: [] });
    }
  }

  private async launch(): Promise<void> {
    const { fn, backend, runtime } = this.opts;
    // A package the runtime cannot start from (a custom runtime without an executable bootstrap)
    // fails here, on the host, with a sentence naming the file: start() makes it InvalidEntrypoint.
    const problem = runtime.checkPackage?.(fn.codeDir);
    if (problem) throw new Error(problem);
    const limits = limitsOf(fn);
    const heapCapMb = heapCapOf(backend, fn);
    // Failing to put the code and limits in place removes the pre-started sandbox: start anew.
    if (this.pre && !(await this.pre.claim(fn.codeDir, limits, fn.layerDirs))) this.pre = undefined;
    this.layout = this.pre ? this.pre.layout : await backend.prepare(this.id, fn.codeDir, limits, fn.layerDirs);
    const bound = await listen(this.server, this.layout);
    let launch = runtime.launch({
      taskRoot: this.layout.taskRoot, runtimeDir: this.layout.runtimeDir, heapCapMb, memoryMb: fn.config.memorySize,
      runtimeApiSocket: this.layout.runtimeApiSocket,
    });
    if (this.opts.debug) {
      this.debugSetup = await setUpDebug(runtime, launch, this.layout);
      launch = this.debugSetup.launch;
    }
    const env = runtimeEnvironment({
      fn, runtime, layout: this.layout, runtimeApi: this.layout.runtimeApiAddress(bound), logStream: this.logStream,
      region: this.opts.region, initializationType: this.opts.initializationType ?? 'on-demand',
    });
    this.opts.logs.streamCreated({
      group: fn.config.loggingConfig.logGroup, stream: this.logStream, functionName: fn.config.name,
      version: fn.version, envId: this.id, createdAt: this.createdAt,
    });
    // Stopped while the folders were being made (shutdown during a cold start): start nothing.
    if (this.stopping) return;
    // Init Duration: from here to the first /next. For a pre-started runtime that is the function's
    // own init (handler load), as the runtime's start-up was paid before the request came.
    this.spawnedAt = performance.now();
    this.platformEvent('platform.initStart', { initializationType: this.initType, phase: 'init', functionName: fn.config.name, functionVersion: fn.version });
    if (this.pre) {
      this.proc = this.pre.assign(env);
      this.pre = undefined;
    } else {
      this.proc = backend.start(this.layout, { command: launch.command, args: launch.args, env, limits, debugPort: this.debugSetup?.innerPort });
    }
    if (this.debugSetup) this.debugPortReady?.(this.debugSetup.hostPort);
    captureLines(this.proc.stdout, 'INFO', (m, l) => this.functionLog(m, l));
    captureLines(this.proc.stderr, 'ERROR', (m, l) => this.functionLog(m, l));
    if (this.proc.extensionOutput) {
      captureLines(this.proc.extensionOutput, 'INFO', (m, l) => {
        this.log(m, l);
        this.telemetry.emit('extension', 'extension', m);
      });
    }
    captureFrames(this.proc.telemetry, (m) => this.functionLog(m, levelOf(m)), (n) =>
      this.log(`lambkin: ${n} bytes of log dropped (frame over 256 KB or malformed)`, 'WARN'));
    this.initTimer = setTimeout(() => this.failInit({
      errorType: 'Runtime.InitTimeout',
      errorMessage: `Init did not finish within ${this.opts.initTimeoutMs / 1000} seconds: the runtime never asked for its first event (GET /runtime/invocation/next).`,
      stackTrace: [],
    }), this.opts.initTimeoutMs);
    watchExits(this.proc.extensionExits, (name, status) => this.extensions.exited(name, status));
    void this.proc.exited.then((exit) => this.onExit(exit));
  }

  /** Run one invocation. Legal while starting (it waits for init) or idle. Never rejects. */
  invoke(input: InvocationInput): Promise<InvocationResult> {
    if (this.active || (this.state !== 'idle' && this.state !== 'starting')) {
      throw new Error(`environment ${this.id} is ${this.state}${this.active ? ' and busy' : ''}`);
    }
    // A provisioned environment was initialised ahead of time: its first invocation is warm (as
    // on Lambda, no Init Duration in its REPORT).
    const provisioned = this.opts.initializationType === 'provisioned-concurrency';
    const cold = this.state === 'starting' || (this.invocationCount === 0 && !provisioned);
    const inv = new Invocation(input, this, cold);
    this.active = inv;
    this.invocationCount++;
    this.lastUsedAt = Date.now();
    if (this.state === 'idle') this.dispatch();
    return inv.done;
  }

  /** Kill the runtime and remove everything of the environment. Idempotent. */
  stop(reason: 'spindown' | 'failure' = 'spindown'): Promise<void> {
    if (this.stopping) return this.stopping;
    const initialised = this.state !== 'starting';
    if (this.state !== 'stopped') this.transition('stopping');
    clearTimeout(this.initTimer);
    this.freezer.stop();
    this.stopping = (async () => {
      // A launch under way finishes first, so that what it made (folders, process) is removed too.
      await this.launching?.catch(() => undefined);
      if (initialised) {
        await this.answeredInvocationEnds();
        await this.shutdownExtensions(reason);
      }
      this.extensions.stop();
      this.telemetry.stop();
      if (this.pre) {
        // Taken from the pool but never handed its environment: its process waits; discard removes all.
        await this.pre.discard();
        this.pre = undefined;
        this.layout = undefined;
      }
      this.nextRes?.destroy();
      this.nextRes = undefined;
      this.proc?.kill();
      this.server.close();
      this.server.closeAllConnections();
      this.debugSetup?.relay?.close();
      this.debugPortFailed?.(new Error('the debug environment stopped before its debugger was up'));
      if (this.proc) await this.proc.exited;
      if (this.layout) await this.opts.backend.cleanup(this.layout).catch(() => undefined);
      this.transition('stopped');
      this.opts.onStopped?.(this);
    })();
    return this.stopping;
  }

  /**
   * Stop an environment whose work is over (retired after an invocation). A debug environment
   * first waits for its debugger to detach (debug-relay.ts, at most DETACH_WAIT_MS): it serves no
   * invocation meanwhile, but the debugger still gets the end of its session, not a cut connection.
   */
  stopAfterUse(): Promise<void> {
    if (!this.debugSetup || this.invocationCount === 0 || this.stopping) return this.stop();
    return debuggerDetached(this.debugSetup).then(() => this.stop());
  }

  get busy(): boolean {
    return this.active !== undefined;
  }

  // ---- what Invocation needs -------------------------------------------------------------------

  /** Write a log line of this environment, tied to the running request (if any); `platform` marks START, END and REPORT. */
  log(message: string, level: LogLevel | undefined, requestId = this.active?.id, platform?: PlatformMark): void {
    this.active?.tail(message);
    if (!this.logsOn) return;
    this.opts.logs.append({
      timestamp: Date.now(), group: this.fn.config.loggingConfig.logGroup, stream: this.logStream,
      envId: this.id, requestId, level, message, platform,
    });
  }

  get sink(): LogSink {
    return this.opts.logs;
  }

  /** Peak memory in MB (rounded up), for REPORT; remembered so a dead process still reports. */
  maxMemoryUsedMb(): number {
    const proc = this.proc;
    const peak = proc?.peakBytes ? proc.peakBytes() : proc?.memory()?.peakBytes;
    if (peak !== undefined) this.lastMemoryMb = Math.ceil(peak / (1024 * 1024));
    return this.lastMemoryMb;
  }

  /** The invocation ended (any way). The environment goes back to idle unless it is going away. */
  settled(inv: Invocation): void {
    if (this.active !== inv) return;
    this.active = undefined;
    this.lastUsedAt = Date.now();
    if (this.state === 'busy') this.transition('idle');
    if (this.state === 'idle') this.freezer.idle();
    // Sent now: idle, the sandbox is frozen soon, and its listeners with it.
    this.telemetry.flushAll();
  }

  /** A platform event for the Telemetry API's subscribers (and, during init, its backlog). */
  platformEvent(type: string, record: object): void {
    this.telemetry.emit('platform', type, record);
  }

  /** The invocation timed out: the environment is beyond use. */
  kill(): void {
    void this.stop('failure');
  }

  extensionsBusy(): boolean {
    return !this.extensions.allIdle();
  }

  // ---- Runtime API host ------------------------------------------------------------------------

  next(res: ServerResponse): void {
    if (this.state === 'stopped') {
      res.destroy();
      return;
    }
    if (this.nextRes && !this.nextRes.writableEnded) this.nextRes.destroy();
    // While stopping too the poll is kept (stop() ends it after SHUTDOWN): a runtime whose poll is
    // cut exits, and its sandbox with it, extensions and all, before they have had their SHUTDOWN
    // (stopped while its extensions finish an invocation whose caller has its answer).
    this.nextRes = res;
    if (this.state === 'starting') {
      this.runtimeReady = true;
      this.initDone();
    } else if (this.active && !this.active.dispatched && this.state === 'busy') {
      this.sendEvent();
    }
    if (this.state === 'idle' && !this.active) this.freezer.idle();
  }

  admits(requestId: string): Refusal | undefined {
    return this.accepting(requestId) ? undefined : notActive(requestId);
  }

  admitsInitError(): Refusal | undefined {
    return this.state === 'starting' ? undefined : INIT_ERROR_LATE;
  }

  response(requestId: string, body: Buffer): Refusal | undefined {
    const inv = this.accepting(requestId);
    if (!inv) return notActive(requestId);
    inv.succeed(body);
    return undefined;
  }

  responseTooLarge(requestId: string, size: number): Refusal | undefined {
    const inv = this.accepting(requestId);
    if (!inv) return notActive(requestId);
    inv.fail({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: `Response payload size (${size} bytes) exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
      stackTrace: [],
    }, 'error');
    return undefined; // RIE answers the runtime 413 itself; response.ts does that
  }

  beginStream(requestId: string, contentType: string): RuntimeStream | Refusal {
    return this.accepting(requestId)?.beginStream(contentType) ?? notActive(requestId);
  }

  error(requestId: string, error: RuntimeErrorBody): Refusal | undefined {
    const inv = this.accepting(requestId);
    if (!inv) return notActive(requestId);
    inv.fail(error, 'error');
    return undefined;
  }

  initError(error: RuntimeErrorBody): Refusal | undefined {
    if (this.state !== 'starting') return INIT_ERROR_LATE;
    this.reportedInitError = error;
    // The runtime exits after reporting; don't wait for it to do so.
    setImmediate(() => this.failInit(error));
    return undefined;
  }

  settling(): Promise<unknown> {
    return this.active?.done ?? Promise.resolve();
  }

  // ---- internals -------------------------------------------------------------------------------

  /** Init is over when the runtime and every extension have asked for their first event. */
  private initDone(): void {
    if (this.state !== 'starting' || !this.runtimeReady || !this.extensions.allIdle()) return;
    clearTimeout(this.initTimer);
    this.initMs = performance.now() - this.spawnedAt;
    this.extensions.close();
    this.initEvents('success');
    for (const line of this.extensions.readyLines()) this.log(line, 'PLATFORM');
    this.transition('idle');
    if (this.active) this.dispatch();
  }

  private initEvents(status: 'success' | 'error', errorType?: string): void {
    initEvents(this.telemetry, this.initType, status, this.initMs ?? 0, errorType);
  }

  /** A line of the function's own output: its log, and the Telemetry API's `function` stream. */
  private functionLog(message: string, level: LogLevel | undefined): void {
    this.log(message, level);
    this.telemetry.emit('function', 'function', this.jsonLogs ? recordOf(message) : message);
  }

  private get jsonLogs(): boolean {
    return this.fn.config.loggingConfig.logFormat === 'JSON';
  }

  private get initType(): string {
    return this.opts.initializationType ?? 'on-demand';
  }

  private extensionsChanged(): void {
    if (this.state === 'starting') this.initDone();
    else if (this.active && this.extensions.allIdle()) this.active.release();
  }

  /** An extension crashed or reported an error: the environment cannot be trusted any more. */
  extensionFailed(_name: string, errorType: string, message: string): void {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.log(`lambkin: ${message}`, 'ERROR');
    const error = { errorType, errorMessage: message, stackTrace: [] };
    if (this.state === 'starting') this.failInit(error);
    else if (this.active?.dispatched && !this.active.finished) this.active.fail(error, 'crash');
    else void this.stop('failure');
  }

  /**
   * An invocation whose caller has its answer, its extensions still at work, ends before SHUTDOWN
   * (else the kill would record it as a crash) — within the 2 s extensions get at shutdown.
   */
  private async answeredInvocationEnds(): Promise<void> {
    const settled = this.active?.answered ? this.active.settled : undefined;
    if (!settled) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_LIMIT_MS)))]);
    clearTimeout(timer);
  }

  /** SHUTDOWN to the extensions registered for it, and up to Lambda's limit for them to finish. */
  private async shutdownExtensions(reason: 'spindown' | 'failure'): Promise<void> {
    if (this.extensions.count === 0) return;
    this.freezer.wake();
    this.telemetry.flushAll();
    await this.extensions.shutdown(reason);
  }

  /** Said once per environment in its function's log: the cap explains failures its code will see. */
  private connectionRefused(): void {
    if (this.refusedConnections++ > 0) return;
    this.log(`lambkin: the Runtime API refused a connection: this environment already has ${RUNTIME_API_LIMITS.maxConnections} open, the most one environment may hold.`, 'WARN');
  }

  private accepting(requestId: string): Invocation | undefined {
    const inv = this.active;
    // Not once finished or answered: an invocation stays active after its answer, for a moment
    // (invocation.ts, finish) or until its extensions are done (answer); a second result is refused.
    return inv?.dispatched && !inv.finished && !inv.answered && inv.id === requestId && this.state === 'busy' ? inv : undefined;
  }

  private dispatch(): void {
    this.transition('busy');
    // Thawed before the event is written: its deadline starts now and must not count frozen time.
    this.freezer.wake();
    this.telemetry.flushAll();
    // A poll whose connection has closed (its runtime died while idle) cannot carry the event;
    // the runtime's exit then makes the invocation undelivered, and the scheduler runs it elsewhere.
    if (this.nextRes && pollOpen(this.nextRes)) this.sendEvent();
    else this.nextRes = undefined;
  }

  private sendEvent(): void {
    const inv = this.active!;
    const res = this.nextRes!;
    this.nextRes = undefined;
    // START when the runtime gets the event (an invocation that never reaches it has none).
    this.log(startLine(inv.id, this.fn.version), 'PLATFORM', inv.id, 'start');
    this.platformEvent('platform.start', { requestId: inv.id, version: this.fn.version });
    // Extensions get INVOKE just after the runtime: the caller waits only for the runtime (its
    // answer goes out at the runtime's response), so the runtime's event goes first. Measured
    // (bench:extension, loaded machine, 5 alternating runs each): INVOKE first added 0.38 ms at
    // p50 (median), INVOKE after 0.28 ms. Both are written in the same turn: no response can be
    // read before every extension has its INVOKE and counts as busy.
    inv.dispatch(res, this.opts.debug ? Math.max(DEBUG_TIMEOUT_SECONDS, this.fn.config.timeout) : this.fn.config.timeout, this.extensions.count === 0 ? undefined
      : () => this.extensions.invoke(invokeEvent(inv.id, inv.deadlineMs, inv.invokedArn, inv.traceValue)));
    // The peak is reset once the event is on its way, not before: a cgroup write is a syscall the
    // event would otherwise wait for. It sets the peak to the usage now, so what the runtime has
    // taken since still counts; it has barely woken up by then.
    this.proc?.resetPeak();
  }

  private failInit(error: RuntimeErrorBody): void {
    if (this.state !== 'starting') return;
    this.initMs = performance.now() - this.spawnedAt;
    this.initEvents('error', error.errorType);
    const inv = this.active;
    void this.stop();
    inv?.failInit(error);
  }

  private onExit(exit: ExitInfo): void {
    const how = exit.signal ? `signal: ${SIGNAL_WORDS[exit.signal] ?? exit.signal}` : `exit status ${exit.code}`;
    if (this.state === 'starting') {
      this.failInit(this.reportedInitError ?? {
        errorType: exit.oomKilled ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
        errorMessage: `RequestId: ${this.active?.id ?? '-'} Error: Runtime exited with error: ${how}`,
        stackTrace: [],
      });
      return;
    }
    const inv = this.active;
    if (this.state !== 'stopping' && this.state !== 'stopped') void this.stop();
    else if (inv?.finished !== false) return; // we killed it (timeout, retirement): already answered
    if (inv && !inv.finished) {
      const error = {
        errorType: exit.oomKilled ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
        errorMessage: `RequestId: ${inv.id} Error: Runtime exited with error: ${how}`,
        stackTrace: [],
      };
      // Not yet handed to the runtime: it exited after its previous invocation (e.g. having
      // reported an uncaught exception) instead of asking for the next one. This one never ran.
      if (!inv.dispatched) inv.undelivered(error);
      else inv.fail(error, 'crash');
    }
  }

  private transition(to: EnvState): void {
    checkTransition(this.state, to);
    const wasStarting = this.state === 'starting';
    this.state = to;
    if (wasStarting && to !== 'starting') this.settleStart();
  }
}

/** How Lambda (its Go runtime) names the signal that ended a runtime: "signal: segmentation fault". */
const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed', SIGSEGV: 'segmentation fault', SIGABRT: 'aborted', SIGTERM: 'terminated', SIGBUS: 'bus error',
  SIGILL: 'illegal instruction', SIGFPE: 'floating point exception', SIGINT: 'interrupt', SIGHUP: 'hangup',
};

function notActive(requestId: string): Refusal {
  const shown = requestId.length > 100 ? `${requestId.slice(0, 100)}…` : requestId;
  return {
    status: 403, errorType: 'InvalidRequestID',
    errorMessage: `Request ID ${shown} is not the invocation this environment is running.`,
  };
}

const INIT_ERROR_LATE: Refusal = { status: 403, errorType: 'InvalidStateTransition', errorMessage: 'init/error is only legal during init' };

function listen(server: Server, layout: SandboxLayout): Promise<string | { address: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(layout.listen, () => {
      const addr = server.address() as AddressInfo | string;
      resolve(typeof addr === 'string' ? addr : { address: addr.address, port: addr.port });
    });
  });
}

export { errorPayload };

/**
 * Whether a pending /next can still carry an event. A poll sent right behind a result on the same
 * connection (lambkin's bootstraps pipeline them) has no socket of its own until the result's 202
 * is out: Node queues its answer meanwhile, so its request's connection is the one to look at.
 */
function pollOpen(res: ServerResponse): boolean {
  return (res.socket ?? res.req.socket)?.destroyed === false;
}

/** A JSON log line (LoggingConfig JSON) is an object in the Telemetry API's `function` record. */
function recordOf(line: string): unknown {
  if (!line.startsWith('{')) return line;
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return line;
  }
}
