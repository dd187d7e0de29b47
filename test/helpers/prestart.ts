// Runtimes waiting in a server's pre-started pool (src/sandbox/prestart/pool.ts), found as a user
// could find them: in /proc, by the pool's marker in their start-up environment.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { expect } from 'vitest';
import type { Lambkin } from './server.js';
import { invokeJson } from './logs.js';
import type { RuntimeCase } from './functions.js';

/** What a runtime's command line names. */
const BOOTSTRAPS = { node: '/nodejs/bootstrap.js', python: '/python/bootstrap.py', ruby: '/ruby/bootstrap.rb', java: 'lambkin.runtime.Bootstrap' } as const;

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

function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p = pid, i = 0; p > 1 && i < 64; i++) {
    if (p === ancestor) return true;
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return false;
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
export async function pooledAndPlain<R extends { prestarted: boolean }>(pooled: Lambkin, plain: Lambkin, name: string): Promise<{
  out: Awaited<ReturnType<typeof invokeJson>>; normal: Awaited<ReturnType<typeof invokeJson>>; got: R; want: R;
}> {
  const out = await invokeJson(pooled.lambda, name, {}, true);
  const normal = await invokeJson(plain.lambda, name, {}, true);
  expect([out.FunctionError, normal.FunctionError]).toEqual([undefined, undefined]);
  const got = out.body as R;
  const want = normal.body as R;
  expect([got.prestarted, want.prestarted]).toEqual([true, false]);
  return { out, normal, got, want };
}
