// Lambda's platform lines, exactly as Lambda prints them (tab-separated).

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

export interface ReportFields {
  readonly requestId: string;
  readonly durationMs: number;
  readonly billedMs: number;
  readonly memoryMb: number;
  readonly maxMemoryUsedMb: number;
  readonly initMs: number | undefined;
  /** Lambda adds `Status: timeout` / `Status: error` (with `Error Type`) when the environment failed. */
  readonly status?: 'timeout' | 'error';
  readonly errorType?: string;
}

export function reportLine(r: ReportFields): string {
  let line =
    `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\tBilled Duration: ${r.billedMs} ms` +
    `\tMemory Size: ${r.memoryMb} MB\tMax Memory Used: ${r.maxMemoryUsedMb} MB`;
  if (r.initMs !== undefined) line += `\tInit Duration: ${r.initMs.toFixed(2)} ms`;
  if (r.status) line += `\tStatus: ${r.status}`;
  if (r.status === 'error' && r.errorType) line += `\tError Type: ${r.errorType}`;
  return line;
}

export function timeoutLine(requestId: string, timeoutSeconds: number, at = new Date()): string {
  return `${at.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

/** Billed duration: the duration rounded up to the next whole millisecond (at least 1). */
export function billedMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}
