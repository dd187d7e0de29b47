// What the Runtime API endpoints need from their environment. The endpoints parse and validate;
// the environment (which implements this) decides, by its state, whether a call is legal.
import type { ServerResponse } from 'node:http';
import type { RuntimeApiRefusal } from '../../errors.js';
import type { RuntimeStream } from '../invocation.js';
import type { ExtensionEvent } from '../extensions/extensions.js';
import type { Subscription } from '../telemetry/subscribe.js';

/** An error as a runtime reports it (body of /error and /init/error, normalised). */
export interface RuntimeErrorBody {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stackTrace: readonly string[];
  /** The message's whole length (UTF-16 code units) when `errorMessage` holds only its start. */
  readonly messageLength?: number;
  /** The body the caller gets, when the runtime posted one (runtime-api/error-body.ts). */
  readonly payload?: Buffer;
}

/** A refusal's name and status are those of the error registry (src/errors.ts); the compiler checks. */
export type Refusal = RuntimeApiRefusal;

/** What the Extensions API (extension-routes.ts) needs from the environment. */
export interface ExtensionApiHost {
  registerExtension(name: string, events: readonly ExtensionEvent[]): { id: string } | Refusal;
  /** The register answer's body: functionName, functionVersion, handler (and accountId when asked). */
  registrationInfo(withAccountId: boolean): object;
  extensionNext(id: string, res: ServerResponse): Refusal | undefined;
  extensionError(id: string, phase: 'init' | 'exit', errorType: string): Refusal | undefined;
  /** PUT /2022-07-01/telemetry of an extension. */
  subscribeTelemetry(id: string, sub: Subscription): Refusal | undefined;
}

export interface RuntimeApiHost {
  /** The Extensions and Telemetry APIs, when this host has them. */
  readonly extensionApi?: ExtensionApiHost;
  /** The runtime asks for work; the environment answers `res` when it has an event. */
  next(res: ServerResponse): void;
  /**
   * Whether a result for `requestId` may be posted now — asked on the request's headers, before a
   * byte of its body is read; undefined when it may.
   */
  admits(requestId: string): Refusal | undefined;
  /** The same for /init/error. */
  admitsInitError(): Refusal | undefined;
  /** undefined when accepted (asked again once the body is in: the invocation may have ended meanwhile). */
  response(requestId: string, body: Buffer): Refusal | undefined;
  responseTooLarge(requestId: string, size: number): Refusal | undefined;
  /** A streamed response begins (stream-response.ts): where its chunks go, or why not. */
  beginStream(requestId: string, contentType: string): RuntimeStream | Refusal;
  error(requestId: string, error: RuntimeErrorBody): Refusal | undefined;
  initError(error: RuntimeErrorBody): Refusal | undefined;
  /**
   * Resolves once the invocation whose result was just accepted has settled (its caller's answer
   * goes out in that turn's promise jobs); at once when none is running.
   */
  settling(): Promise<unknown>;
}

/** Lambda's limit for a response posted by a runtime: 6 MiB + 100 bytes. */
export const MAX_RESPONSE_BYTES = 6_291_556;
