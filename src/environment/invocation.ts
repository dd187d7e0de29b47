// One invocation inside an environment: hand the event to the runtime's waiting poll, wait for
// its response, error, death or the deadline — whichever comes first wins, exactly once — then
// write END/REPORT and the invocation record.
import type { ServerResponse } from 'node:http';
import type { FunctionRecord } from '../registry/types.js';
import { MAX_RECORDED_PAYLOAD, type LogLevel, type LogSink, type Outcome, type PlatformMark, type RecordedPayload } from '../logs/types.js';
import type { RuntimeErrorBody } from './runtime-api/host.js';
import { billedMs, endLine, reportLine, startLine, timeoutLine } from '../logs/platform-lines.js';
import { randomHex } from '../random-hex.js';
import { cutErrorMessage } from '../logs/record-limits.js';
import { headerValue, jsonHeaderValue } from './runtime-api/header-value.js';
import { StreamedResponse, type ChunkVerdict, type ResponseSink } from './response-stream.js';

export interface InvocationInput {
  readonly requestId: string;
  readonly payload: Buffer;
  readonly invokedArn: string;
  readonly traceId?: string;
  /** Client context as JSON text (already base64-decoded), passed to the runtime as is. */
  readonly clientContext?: string;
  readonly identity?: string;
  /** Collect the log lines for X-Amz-Log-Result. */
  readonly tail: boolean;
  /** A streaming caller: a response the runtime streams goes here as it arrives (response-stream.ts). */
  readonly stream?: ResponseSink;
}

/** A streamed response as the Runtime API endpoint feeds it (runtime-api/stream-response.ts). */
export interface RuntimeStream {
  chunk(chunk: Buffer): ChunkVerdict;
  drained(): Promise<void>;
  /** The limit it is held to (bytes). */
  readonly limit: number;
  readonly bytes: number;
  /** The stream is over, with its error if any; false when the invocation had already ended. */
  end(error?: RuntimeErrorBody): boolean;
}

export interface InvocationResult {
  readonly requestId: string;
  readonly envId: string;
  readonly ok: boolean;
  readonly payload: Buffer;
  readonly errorType?: string;
  readonly errorMessage?: string;
  readonly outcome: Outcome;
  readonly cold: boolean;
  readonly initMs: number | undefined;
  readonly durationMs: number;
  readonly billedMs: number;
  readonly maxMemoryUsedMb: number;
  /** base64 of the last 4 KB of this invocation's log, when asked for. */
  readonly logTail?: string;
  /**
   * The runtime went away before this invocation reached it: nothing of it ran, and it may be run
   * elsewhere. `payload` holds the runtime's exit error for when it cannot be.
   */
  readonly undelivered?: boolean;
  /** The response was streamed into the caller's sink (input.stream): `payload` holds only an error. */
  readonly streamed?: boolean;
  /**
   * Set when the caller is answered at the runtime's response while extensions still work on the
   * invocation (as Lambda answers): settles once every extension has called next again or the
   * invocation ended otherwise — END and REPORT written, the environment idle or stopping. Until
   * then the environment is not free; `durationMs` is the runtime's part and `maxMemoryUsedMb` 0
   * (REPORT and the invocation record have the final ones). Absent when nothing was left to wait for.
   */
  readonly settled?: Promise<void>;
}

/** What an invocation needs from its environment. */
export interface InvocationHost {
  readonly id: string;
  readonly fn: FunctionRecord;
  readonly logStream: string;
  readonly initMs: number | undefined;
  readonly sink: LogSink;
  log(message: string, level: LogLevel | undefined, requestId?: string, platform?: PlatformMark): void;
  maxMemoryUsedMb(): number;
  settled(inv: Invocation): void;
  kill(): void;
  /** Some extension has not yet called event/next since this invocation's INVOKE. */
  extensionsBusy(): boolean;
  /** A platform event for the Telemetry API (platform.runtimeDone, platform.report). */
  platformEvent?(type: string, record: object): void;
}

const TAIL_BYTES = 4096;

export class Invocation {
  readonly id: string;
  readonly done: Promise<InvocationResult>;
  dispatched = false;
  finished = false;
  private resolve!: (r: InvocationResult) => void;
  private dispatchedAt = 0;
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private tailLines: string[] | undefined;
  private tailChars = 0;
  private streamedTo: StreamedResponse | undefined;
  /** The runtime's result, held until every extension has called next again (release()). */
  private held: (() => void) | undefined;
  /** The caller has its answer; the invocation goes on until its extensions are done (answer()). */
  answered = false;
  /** Two turns of the event loop have passed since the answer: the runtime's pipes are read (finish()). */
  private drained = false;
  /** Once answered: settles when the invocation has ended (InvocationResult.settled). */
  settled: Promise<void> | undefined;
  private settle: (() => void) | undefined;
  /** As the runtime and extensions were told (epoch ms, X-Amzn-Trace-Id). */
  deadlineMs = 0;
  traceValue = '';
  readonly invokedArn: string;

  constructor(private readonly input: InvocationInput, private readonly host: InvocationHost, private readonly cold: boolean) {
    this.id = input.requestId;
    this.invokedArn = input.invokedArn;
    this.done = new Promise((r) => (this.resolve = r));
    if (input.tail) this.tailLines = [];
  }

  /**
   * Answer the runtime's pending /next with this event and start the deadline; `afterRuntime`
   * (the extensions' INVOKE) runs once the runtime's event is written.
   */
  dispatch(res: ServerResponse, timeoutSeconds: number, afterRuntime?: () => void): void {
    const deadline = Date.now() + timeoutSeconds * 1000;
    this.deadlineMs = deadline;
    this.traceValue = this.input.traceId ?? traceId();
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': this.input.payload.length,
      'lambda-runtime-aws-request-id': headerValue(this.id),
      'lambda-runtime-deadline-ms': deadline,
      'lambda-runtime-invoked-function-arn': headerValue(this.input.invokedArn),
      'lambda-runtime-trace-id': headerValue(this.traceValue),
    };
    // A caller's JSON, with whatever characters it has: escaped so that the header carries it.
    if (this.input.clientContext) headers['lambda-runtime-client-context'] = jsonHeaderValue(this.input.clientContext);
    if (this.input.identity) headers['lambda-runtime-cognito-identity'] = jsonHeaderValue(this.input.identity);
    this.dispatched = true;
    this.dispatchedAt = performance.now();
    this.timer = setTimeout(() => this.timeout(timeoutSeconds), timeoutSeconds * 1000);
    try {
      res.writeHead(200, headers);
      res.end(this.input.payload);
      afterRuntime?.();
    } catch (err) {
      // Cannot happen with the values above; if it did, the invocation must still end at once
      // (not hold its environment busy until its timeout) and the caller get a Lambda-shaped error.
      res.destroy();
      this.fail({
        errorType: 'Runtime.Unknown',
        errorMessage: `RequestId: ${this.id} Error: lambkin could not hand the event to the runtime: ${(err as Error).message}`,
        stackTrace: [],
      }, 'crash');
    }
  }

  succeed(body: Buffer): void {
    this.finish(true, body, 'success');
  }

  /** The runtime starts streaming its response (the invocation must be accepting one). */
  beginStream(contentType: string): RuntimeStream {
    const streamed = new StreamedResponse(this.input.stream, contentType);
    this.streamedTo = streamed;
    return {
      // Once the invocation ended (its deadline), what still comes is not the caller's.
      chunk: (chunk) => (this.finished ? 'more' : streamed.chunk(chunk)),
      drained: () => streamed.drained(),
      limit: streamed.limit,
      get bytes() {
        return streamed.bytes;
      },
      end: (error) => {
        if (this.finished) return false;
        if (error) this.fail(error, 'error');
        else this.succeed(streamed.body());
        return true;
      },
    };
  }

  fail(error: RuntimeErrorBody, outcome: Outcome): void {
    if (outcome === 'crash') this.host.log(`${error.errorMessage}\n${error.errorType}`, 'ERROR', this.id);
    this.finish(false, errorPayload(error), outcome, error);
  }

  /** The environment never got ready: this invocation carries the init error. */
  failInit(error: RuntimeErrorBody): void {
    this.host.log(`${new Date().toISOString()}\t${this.id}\tERROR\tInit failed: ${error.errorType}: ${error.errorMessage}`, 'ERROR', this.id);
    this.finish(false, errorPayload(error), error.errorType === 'Runtime.InitTimeout' ? 'timeout' : 'error', error);
  }

  /** The runtime exited while waiting to be handed this invocation (see InvocationResult.undelivered). */
  undelivered(error: RuntimeErrorBody): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.resolve({
      requestId: this.id, envId: this.host.id, ok: false, payload: errorPayload(error), outcome: 'crash', cold: this.cold,
      initMs: undefined, durationMs: 0, billedMs: 0, maxMemoryUsedMb: 0, errorType: error.errorType,
      errorMessage: error.errorMessage, undelivered: true,
    });
  }

  tail(message: string): void {
    const lines = this.tailLines;
    if (!lines) return;
    // Only the last 4 KB are ever returned: keep no more, or a flood of output is held in memory whole.
    const kept = message.length > TAIL_BYTES ? message.slice(-TAIL_BYTES) : message;
    lines.push(kept);
    this.tailChars += kept.length + 1;
    while (lines.length > 1 && this.tailChars - lines[0]!.length - 1 >= TAIL_BYTES) this.tailChars -= lines.shift()!.length + 1;
  }

  private timeout(timeoutSeconds: number): void {
    const message = timeoutLine(this.id, timeoutSeconds);
    this.host.log(message, 'ERROR', this.id);
    this.finish(false, errorPayload({ errorType: 'Sandbox.Timedout', errorMessage: message, stackTrace: [] }), 'timeout', {
      errorType: 'Sandbox.Timedout', errorMessage: message, stackTrace: [],
    });
  }

  /** Every extension has called next again: a held result ends the invocation now. */
  release(): void {
    const held = this.held;
    this.held = undefined;
    held?.();
  }

  private finish(ok: boolean, payload: Buffer, outcome: Outcome, error?: RuntimeErrorBody): void {
    if (this.finished) return;
    // As on Lambda, the invocation lasts until its extensions are done with it too (their time is
    // in Duration); a timeout or crash does not wait for them.
    const waits = this.dispatched && outcome !== 'timeout' && outcome !== 'crash';
    if (waits && this.held) return;
    if (this.dispatched && !this.held) {
      this.host.platformEvent?.('platform.runtimeDone', {
        requestId: this.id, status: telemetryStatus(outcome),
        metrics: { durationMs: Math.round((performance.now() - this.dispatchedAt) * 1000) / 1000, producedBytes: payload.length },
      });
    }
    if (waits && this.host.extensionsBusy()) {
      this.held = () => this.finish(ok, payload, outcome, error);
      this.answer(ok, payload, outcome, error);
      return;
    }
    this.held = undefined;
    this.finished = true;
    clearTimeout(this.timer);
    const host = this.host;
    const wasInitFailure = !this.dispatched;
    const durationMs = wasInitFailure ? (host.initMs ?? 0) : performance.now() - this.dispatchedAt;
    const initMs = this.cold && !wasInitFailure ? host.initMs : undefined;
    const maxMemoryUsedMb = host.maxMemoryUsedMb();
    const billed = billedMs(durationMs);
    // Lines the runtime wrote before it answered may not have been read from its pipes yet: epoll
    // can report the runtime API socket before the stdout or telemetry pipe that became readable
    // first. Two turns of the event loop take in one full poll phase (it does not block while an
    // immediate is pending), which reads everything already in the pipes; those lines are tied to
    // this request (still the environment's active one) and stored before END. The caller's
    // answer waits for it too, so that a caller who reads the logs next finds END and REPORT.
    // Answered early, the turns were taken while the extensions worked: END and the environment's
    // next use do not wait for them again.
    if (this.drained) this.close(ok, payload, outcome, error, wasInitFailure, durationMs, initMs, maxMemoryUsedMb, billed);
    else setImmediate(() => setImmediate(() => this.close(ok, payload, outcome, error, wasInitFailure, durationMs, initMs, maxMemoryUsedMb, billed)));
  }

  /**
   * The runtime has answered but extensions still work on the invocation: the caller gets the
   * runtime's result now, as on Lambda; the invocation (its Duration, END and REPORT) and the
   * environment's use last until they have called next again. A caller who asked for the log tail
   * waits: its tail ends with REPORT.
   */
  private answer(ok: boolean, payload: Buffer, outcome: Outcome, error?: RuntimeErrorBody): void {
    if (this.answered || this.input.tail) return;
    this.answered = true;
    const durationMs = performance.now() - this.dispatchedAt;
    const settled = new Promise<void>((resolve) => (this.settle = resolve));
    this.settled = settled;
    setImmediate(() => setImmediate(() => (this.drained = true)));
    this.resolve({
      requestId: this.id, envId: this.host.id, ok, payload, outcome, cold: this.cold, initMs: this.cold ? this.host.initMs : undefined,
      // The peak is read (from the cgroup's files) once, at the end, for REPORT and the record; the
      // caller's answer does not carry it, and is not delayed by reading it.
      durationMs, billedMs: billedMs(durationMs), maxMemoryUsedMb: 0, errorType: error?.errorType,
      errorMessage: error?.errorMessage, streamed: this.streamedTo !== undefined && this.input.stream !== undefined, settled,
    });
  }

  private close(
    ok: boolean, payload: Buffer, outcome: Outcome, error: RuntimeErrorBody | undefined, wasInitFailure: boolean,
    durationMs: number, initMs: number | undefined, maxMemoryUsedMb: number, billed: number,
  ): void {
    const host = this.host;
    const memoryMb = host.fn.config.memorySize;
    if (wasInitFailure) host.log(startLine(this.id, host.fn.version), 'PLATFORM', this.id, 'start');
    host.log(endLine(this.id), 'PLATFORM', this.id, 'end');
    host.log(reportLine({
      requestId: this.id, durationMs, billedMs: billed, memoryMb, maxMemoryUsedMb, initMs,
      status: outcome === 'timeout' ? 'timeout' : outcome === 'crash' || wasInitFailure ? 'error' : undefined,
      errorType: error?.errorType,
    }), 'PLATFORM', this.id, 'report');
    host.platformEvent?.('platform.report', {
      requestId: this.id, status: wasInitFailure ? 'error' : telemetryStatus(outcome),
      ...(error ? { errorType: error.errorType } : {}),
      metrics: {
        durationMs: Math.round(durationMs * 1000) / 1000, billedDurationMs: billed, memorySizeMB: memoryMb, maxMemoryUsedMB: maxMemoryUsedMb,
        ...(initMs !== undefined ? { initDurationMs: Math.round(initMs * 1000) / 1000 } : {}),
      },
    });
    host.sink.invocation({
      requestId: this.id, functionName: host.fn.config.name, version: host.fn.version, envId: host.id,
      logStream: host.logStream, startedAt: this.startedAt, cold: this.cold, initMs: this.cold ? host.initMs : undefined,
      durationMs, billedMs: billed, memoryMb, maxMemoryUsedMb, outcome,
      errorType: error?.errorType, errorMessage: error && cutErrorMessage(error.errorMessage, error.messageLength),
      recorded: host.fn.config.recordPayloads ? recordPayload(this.input.payload, payload) : undefined,
    });
    if (outcome === 'timeout' || outcome === 'crash' || wasInitFailure) host.kill();
    else host.settled(this);
    // Answered already (answer()): this resolve is a no-op, and the scheduler frees the environment now.
    this.settle?.();
    this.resolve({
      requestId: this.id, envId: host.id, ok, payload, outcome, cold: this.cold, initMs, durationMs, billedMs: billed,
      maxMemoryUsedMb, errorType: error?.errorType, errorMessage: error?.errorMessage,
      logTail: this.tailLines ? tailOf(this.tailLines) : undefined,
      streamed: this.streamedTo !== undefined && this.input.stream !== undefined,
    });
  }
}

/**
 * The body a caller gets for a failed invocation: Lambda's {errorMessage, errorType, stackTrace} —
 * the one parsed from the runtime's own body when there is one (runtime-api/error-body.ts).
 */
export function errorPayload(error: RuntimeErrorBody): Buffer {
  if (error.payload) return error.payload;
  const body: Record<string, unknown> = { errorMessage: error.errorMessage, errorType: error.errorType };
  if (error.stackTrace.length) body.stackTrace = error.stackTrace;
  return Buffer.from(JSON.stringify(body));
}

/** The event and response as the console shows them (opt-in per function, LambkinRecordPayloads). */
function recordPayload(event: Buffer, response: Buffer): RecordedPayload {
  const cut = (b: Buffer) => b.subarray(0, MAX_RECORDED_PAYLOAD).toString('utf8');
  return { event: cut(event), response: cut(response), truncated: event.length > MAX_RECORDED_PAYLOAD || response.length > MAX_RECORDED_PAYLOAD };
}

function tailOf(lines: string[]): string {
  const text = Buffer.from(lines.join('\n') + '\n');
  return (text.length > TAIL_BYTES ? text.subarray(text.length - TAIL_BYTES) : text).toString('base64');
}

function traceId(): string {
  const time = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  return `Root=1-${time}-${randomHex(12)};Sampled=0`;
}

/** The status the Telemetry API gives an invocation's outcome. */
function telemetryStatus(outcome: Outcome): string {
  return outcome === 'success' ? 'success' : outcome === 'timeout' ? 'timeout' : outcome === 'crash' ? 'failure' : 'error';
}
