// The events extensions get (INVOKE, SHUTDOWN) as Lambda shapes them, and the sandbox's report of
// extension processes that exited (namespace backend, fd 7 of the init script).
import type { Readable } from 'node:stream';
import type { FunctionRecord } from '../../registry/types.js';
import { ACCOUNT_ID } from '../../registry/arn.js';
import type { Refusal } from '../runtime-api/host.js';

export const UNKNOWN_EXTENSION: Refusal = {
  status: 403, errorType: 'Extension.UnknownExtensionIdentifier',
  errorMessage: 'The Lambda-Extension-Identifier header does not name a registered extension.',
};

/** The register answer's body, as Lambda gives it. */
export function registrationInfo(fn: FunctionRecord, withAccountId: boolean): object {
  const info: Record<string, string> = { functionName: fn.config.name, functionVersion: fn.version, handler: fn.config.handler };
  if (withAccountId) info.accountId = ACCOUNT_ID;
  return info;
}

export function invokeEvent(requestId: string, deadlineMs: number, invokedFunctionArn: string, trace: string): object {
  return { eventType: 'INVOKE', deadlineMs, requestId, invokedFunctionArn, tracing: { type: 'X-Amzn-Trace-Id', value: trace } };
}

export function shutdownEvent(reason: 'spindown' | 'failure' | 'timeout', deadlineMs: number): object {
  return { eventType: 'SHUTDOWN', shutdownReason: reason, deadlineMs };
}

/** Lines `name status`; a line longer than a name can be is dropped (the pipe is the sandbox's). */
export function watchExits(exits: Readable | undefined, onExit: (name: string, status: number) => void): void {
  if (!exits) return;
  let buffered = '';
  exits.setEncoding('utf8');
  exits.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const m = /^(\S{1,255}) (\d{1,3})$/.exec(line);
      if (m) onExit(m[1]!, Number(m[2]));
    }
    if (buffered.length > 4096) buffered = '';
  });
}
