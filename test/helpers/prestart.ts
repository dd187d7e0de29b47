// Runtimes waiting in a server's pre-started pool (src/sandbox/prestart/pool.ts), found as a user
// could find them: in /proc, by the pool's marker in their start-up environment.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { startLambkin, type Lambkin } from './server.js';
import { invocationLog, invokeJson, reportPattern } from './logs.js';
import { PROCESS_SANDBOX, waitFor } from './functions.js';

/** The sandboxes the pool is tested in. */
export const PRESTART_SANDBOXES = [
  { label: 'namespace', args: [] as string[] },
  { label: 'process', args: [...PROCESS_SANDBOX] },
];

/** A server with the pool and one without it (LAMBKIN_PRESTART=off), each started with `args`. */
export interface ServerPair {
  readonly pooled: Lambkin;
  readonly plain: Lambkin;
}

/** A ServerPair started before the suite's tests and stopped after them. */
export function useServerPair(args: readonly string[]): ServerPair {
  const pair = {} as { pooled: Lambkin; plain: Lambkin };
  beforeAll(async () => {
    [pair.pooled, pair.plain] = await Promise.all([startLambkin({ args: [...args] }), startLambkin({ args: [...args], env: { LAMBKIN_PRESTART: 'off' } })]);
  });
  afterAll(async () => {
    await Promise.all([pair.pooled?.stop(), pair.plain?.stop()]);
  });
  return pair;
}

/** What a runtime's command line names. */
const BOOTSTRAPS = {
  node: '/nodejs/bootstrap.js', python: '/python/bootstrap.py', ruby: '/ruby/bootstrap.rb', java: 'lambkin.runtime.Bootstrap',
  provided: 'lambkin-prestart', // a custom runtime's launcher (src/runtimes/custom.ts), its $0
} as const;

/**
 * Runtime processes of this server waiting in the pool: their start-up environment has the marker
 * and their stdin is still the pipe (a socket pair) their assignment comes through; then it becomes /dev/null.
 */
export function waiting(server: Lambkin, rt: { readonly label: keyof typeof BOOTSTRAPS }): number[] {
  const bootstrap = BOOTSTRAPS[rt.label];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes('_LAMBKIN_PRESTART=1')) continue;
      if (readlinkSync(`/proc/${pid}/fd/0`) === '/dev/null') continue;
      if (!readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(bootstrap)) continue;
      if (descendsFrom(pid, server.proc.pid!)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

export function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p = pid, i = 0; p > 1 && i < 64; i++) {
    if (p === ancestor) return true;
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return false;
}

/** The variables the pre-start tests give a function whose environment they compare. */
export const FUNCTION_VARIABLES = { ONLY_HERE: 'yes', QUOTE: "it's \"x\"" };

/**
 * A pre-started runtime's environment is its function's: as a normal start's (expectSameEnvironment),
 * without the pool's marker, with the function's variables (FUNCTION_VARIABLES) and memory size.
 */
export function expectFunctionEnvironment(got: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>, memoryMb: number): void {
  expectSameEnvironment(got, want);
  expect(got).not.toHaveProperty('_LAMBKIN_PRESTART');
  expect(got.ONLY_HERE).toBe('yes');
  expect(got.QUOTE).toBe("it's \"x\"");
  expect(got.AWS_LAMBDA_FUNCTION_MEMORY_SIZE).toBe(String(memoryMb));
}

/** Variables that differ between any two environments of one function: their stream, Runtime API, trace, folders (RUBYLIB starts with the task root). */
const PER_ENVIRONMENT = new Set(['AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_LAMBDA_RUNTIME_API', '_X_AMZN_TRACE_ID', 'LAMBDA_TASK_ROOT', 'TMPDIR', 'RUBYLIB']);

/** A pre-started runtime sees the environment a normal start gives: the same names, and the same values but for PER_ENVIRONMENT. */
export function expectSameEnvironment(got: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [k, v] of Object.entries(want)) if (!PER_ENVIRONMENT.has(k)) expect([k, got[k]]).toEqual([k, v]);
}

/**
 * The same function, one cold start on a server with the pool (served from it) and one on a server
 * without: both succeed, and each says whether its runtime was pre-started. Their answers, for the
 * test to compare.
 */
export async function pooledAndPlain<R extends { prestarted: boolean }>({ pooled, plain }: ServerPair, name: string): Promise<{
  out: Invoked; normal: Invoked; got: R; want: R;
}> {
  const out = await invokeJson(pooled.lambda, name, {}, true);
  const normal = await invokeJson(plain.lambda, name, {}, true);
  expect([out.FunctionError, normal.FunctionError]).toEqual([undefined, undefined]);
  const got = out.body as R;
  const want = normal.body as R;
  expect([got.prestarted, want.prestarted]).toEqual([true, false]);
  return { out, normal, got, want };
}

type Invoked = Awaited<ReturnType<typeof invokeJson>>;

/**
 * A cold start's log as a user sees it: the handler's line and REPORT with Init Duration in the
 * tail, a record that says cold, and every line in the stream the function was told. Its lines.
 */
export async function expectColdStartLog(server: Lambkin, out: Invoked, got: { stream: string; env: Record<string, string> }, memoryMb: number) {
  const tail = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8').split('\n');
  expect(tail).toContainEqual(expect.stringContaining('handler line'));
  expect(tail.find((l) => l.startsWith('REPORT'))).toMatch(reportPattern(out.requestId, memoryMb, true));
  // Not there yet is null: wait on (a null would end the wait).
  const { invocation, events } = await waitFor('the invocation record', async () => {
    const log = await invocationLog(server, out.requestId);
    return log.invocation ? { invocation: log.invocation, events: log.events } : undefined;
  });
  expect(invocation.cold).toBe(true);
  expect(invocation.logStream).toBe(got.env.AWS_LAMBDA_LOG_STREAM_NAME);
  expect(got.stream).toBe(got.env.AWS_LAMBDA_LOG_STREAM_NAME);
  expect(events.every((e) => e.logStream === got.stream)).toBe(true);
  return events;
}

/** Two invocations' REPORT lines (from their tails) are alike but for the request id and the figures. */
export function expectSameReport(out: Invoked, normal: Invoked): void {
  const shape = (o: Invoked) => Buffer.from(o.LogResult ?? '', 'base64').toString('utf8').split('\n')
    .find((l) => l.startsWith('REPORT'))?.replace(/RequestId: \S+/, '').replace(/[\d.]+ (ms|MB)/g, 'N $1');
  expect(shape(out)).toBeDefined();
  expect(shape(out)).toBe(shape(normal));
}
