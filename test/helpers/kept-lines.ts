// One invocation's log lines and record as the invoke path hands them to a log store, for the tests
// of START, END and REPORT kept in invocation records (logs-kept-lines*.test.ts, both stores).
import type { InvocationRecord, LogEvent, PlatformMark } from '../../src/logs/index.js';
import { endLine, reportLine, startLine } from '../../src/logs/platform-lines.js';

export const GROUP = '/aws/lambda/kept';

export function stream(env: string): string {
  return `2026/01/01/[$LATEST]${env.padStart(32, '0')}`;
}

/** One invocation's events (START, `lines` user lines, END, REPORT: marked, as the environment marks them) and its record. */
export function invocation(requestId: string, env: string, at: number, lines: number, outcome: 'success' | 'error' = 'success') {
  const base = { group: GROUP, stream: stream(env), envId: env, requestId };
  const platform = (mark: PlatformMark, message: string, timestamp: number): LogEvent => ({ ...base, timestamp, level: 'PLATFORM', message, platform: mark });
  const events: LogEvent[] = [
    platform('start', startLine(requestId, '$LATEST'), at),
    ...Array.from({ length: lines }, (_, i): LogEvent => ({ ...base, timestamp: at + 1, level: 'INFO', message: `${requestId} says ${i}` })),
    platform('end', endLine(requestId), at + 2),
    platform('report', reportLine({ requestId, durationMs: 1.5, billedMs: 2, memoryMb: 128, maxMemoryUsedMb: 40, initMs: lines === 2 ? 80.25 : undefined }), at + 2),
  ];
  const record: InvocationRecord = {
    requestId, functionName: 'kept', version: '$LATEST', envId: env, logStream: stream(env), startedAt: at, cold: lines === 2,
    initMs: undefined, durationMs: 1.5, billedMs: 2, memoryMb: 128, maxMemoryUsedMb: 40, outcome,
    errorType: outcome === 'error' ? 'Error' : undefined, errorMessage: outcome === 'error' ? 'boom' : undefined,
  };
  return { events, record };
}

/** Their records (a store finds each one's START, END and REPORT by the marks on its events). */
export function records(invs: readonly { record: InvocationRecord }[]): InvocationRecord[] {
  return invs.map((i) => i.record);
}

/** Interleave invocations' events the way concurrent environments do: round robin. */
export function interleave(lists: LogEvent[][]): LogEvent[] {
  const out: LogEvent[] = [];
  for (let i = 0; lists.some((l) => i < l.length); i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}

export const rid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
