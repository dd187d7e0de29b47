// Custom runtimes (provided.al2023: a function's own bootstrap, shell or Go) in the pre-start pool
// (src/sandbox/prestart/pool.ts, src/runtimes/custom.ts): the sandbox is started ahead with a
// launcher waiting in it, which execs the function's bootstrap once handed its environment. The
// bootstrap must not be able to tell: each case is compared with the same function on a server
// without the pool (LAMBKIN_PRESTART=off) — its start-up environment (names, order, values), pid
// and parent, argv, cwd, fds and stdin, /tmp, limits, signal dispositions and capabilities, umask,
// the processes it sees (namespace sandbox), init errors, REPORT with Init Duration, its stream.
// That the pool served a cold start is seen from the host: the process now running the function's
// bootstrap is one that was waiting in the pool before the invoke (same pid: the launcher exec'd).
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { PROCESS_SANDBOX, ROLE, waitFor } from '../helpers/functions.js';
import { invocationLog, invokeJson, reportPattern } from '../helpers/logs.js';
import { zip, type Files } from '../helpers/zip.js';
import { descendsFrom, expectSameEnvironment, waiting } from '../helpers/prestart.js';
import { which } from '../conformance/runtime-packages.js';
import { goProbe, shellProbe, type ProviderReply } from './prestart-provided-fixtures.js';

const PROVIDED = { label: 'provided' } as const;
const PROBES = [
  { label: 'shell', files: shellProbe },
  ...(which('go') ? [{ label: 'go', files: goProbe }] : []),
];
const SANDBOXES = [
  { label: 'namespace', args: [] as string[] },
  { label: 'process', args: [...PROCESS_SANDBOX] },
];

const text = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
/** One line's worth (readlink's output ends with a newline in the shell probe). */
const line = (b64: string): string => text(b64).trimEnd();
const environ = (r: ProviderReply): [string, string][] =>
  text(r.environ).split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]);
/** Processes as `pid (comm) ppid`, without socat's per-connection children (they end as they will). */
const processes = (r: ProviderReply): string[] => {
  const rows = text(r.procs).split('\n').filter(Boolean).map((l) => l.split(' '));
  const socats = new Set(rows.filter(([, comm]) => comm === '(socat)').map(([pid]) => pid));
  return rows.filter(([, comm, ppid]) => !(comm === '(socat)' && socats.has(ppid!))).map((r) => r.join(' ')).sort();
};

/** Host pids of this server's processes running a function's bootstrap for the environment of `stream`. */
function runningFor(server: Lambkin, stream: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`AWS_LAMBDA_LOG_STREAM_NAME=${stream}`)) continue;
      if (!readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('/bootstrap')) continue;
      if (descendsFrom(pid, server.proc.pid!)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

async function create(server: Lambkin, name: string, files: Files, variables: Record<string, string>, memory = 192): Promise<void> {
  await server.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'provided.al2023', Role: ROLE, Handler: 'probe.handler', MemorySize: memory, Timeout: 30,
    Code: { ZipFile: zip(files) }, Environment: { Variables: variables },
  }));
}

const tailOf = (o: { LogResult?: string }): string[] => Buffer.from(o.LogResult ?? '', 'base64').toString('utf8').split('\n');
const reportShape = (o: { LogResult?: string }) =>
  tailOf(o).find((l) => l.startsWith('REPORT'))?.replace(/RequestId: \S+/, '').replace(/[\d.]+ (ms|MB)/g, 'N $1');

describe.each(SANDBOXES)('$label sandbox', ({ label, args }) => {
  let pooled: Lambkin;
  let plain: Lambkin;

  beforeAll(async () => {
    [pooled, plain] = await Promise.all([startLambkin({ args }), startLambkin({ args, env: { LAMBKIN_PRESTART: 'off' } })]);
  });
  afterAll(async () => {
    await Promise.all([pooled?.stop(), plain?.stop()]);
  });

  /** Create `name` on both servers; the deploy readies a launcher on the pooled one: the pids waiting. */
  async function setUp(name: string, files: Files, variables: Record<string, string>): Promise<number[]> {
    await Promise.all([pooled, plain].map((s) => create(s, name, files, variables)));
    return waitFor('a pre-started provided sandbox', () => waiting(pooled, PROVIDED).length > 0 && waiting(pooled, PROVIDED), 30_000);
  }

  describe.each(PROBES)('$label bootstrap', (probe) => {
    let files: Files;
    beforeAll(() => {
      files = probe.files();
    }, 600_000);

    it('a cold start from the pool sees what it would without one: environment, pid, argv, cwd, fds, /tmp, limits, processes', async () => {
      const name = `env-${label}-${probe.label}`;
      // Variables read as a process starts are no reason to leave the pool: the bootstrap starts after the handover.
      const ready = await setUp(name, files, { ONLY_HERE: 'yes', QUOTE: "it's \"x\"\nand a line", TZ: 'UTC', LD_LIBRARY_PATH: '/var/task/lib' });
      const out = await invokeJson(pooled.lambda, name, {}, true);
      const normal = await invokeJson(plain.lambda, name, {}, true);
      expect([out.FunctionError, normal.FunctionError]).toEqual([undefined, undefined]);
      const got = out.body as ProviderReply;
      const want = normal.body as ProviderReply;

      const gotEnv = environ(got);
      const wantEnv = environ(want);
      expect(runningFor(pooled, Object.fromEntries(gotEnv).AWS_LAMBDA_LOG_STREAM_NAME!).some((pid) => ready.includes(pid))).toBe(true);
      // The same names in the same order, the same values but for what differs between any two environments.
      expect(gotEnv.map(([k]) => k)).toEqual(wantEnv.map(([k]) => k));
      expectSameEnvironment(Object.fromEntries(gotEnv), Object.fromEntries(wantEnv));
      const env = Object.fromEntries(gotEnv);
      expect(env).not.toHaveProperty('_LAMBKIN_PRESTART');
      expect(env.QUOTE).toBe("it's \"x\"\nand a line");
      expect(env.TZ).toBe('UTC');
      expect(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE).toBe('192');

      const root = env.LAMBDA_TASK_ROOT!;
      const wantRoot = Object.fromEntries(wantEnv).LAMBDA_TASK_ROOT!;
      expect(line(got.cwd)).toBe(root);
      expect(line(want.cwd)).toBe(wantRoot);
      expect(text(got.argv).replaceAll(root, '<root>')).toBe(text(want.argv).replaceAll(wantRoot, '<root>'));
      expect(text(got.argv)).toContain(`${root}/bootstrap`);
      expect([line(got.fd0), line(want.fd0)]).toEqual(['/dev/null', '/dev/null']);
      expect(text(got.fds)).toBe(text(want.fds));
      expect([text(got.tmp), text(want.tmp)]).toEqual(['', '']);
      expect(text(got.limits)).toBe(text(want.limits));
      expect(text(got.status)).toBe(text(want.status));
      expect(text(got.umask)).toBe(text(want.umask));
      if (label === 'namespace') {
        // Its own pid namespace: the same pid and parent, and the same processes around it.
        expect([got.pid, got.ppid]).toEqual([want.pid, want.ppid]);
        expect(processes(got)).toEqual(processes(want));
      } else {
        expect([got.ppid, want.ppid]).toEqual([pooled.proc.pid, plain.proc.pid]);
      }

      const tail = tailOf(out);
      expect(tail).toContainEqual(expect.stringContaining('handler line'));
      expect(tail.find((l) => l.startsWith('REPORT'))).toMatch(reportPattern(out.requestId, 192, true));
      const { invocation, events } = await waitFor('the invocation record', async () => {
        const log = await invocationLog(pooled, out.requestId);
        return log.invocation && log;
      });
      expect(invocation!.cold).toBe(true);
      expect(invocation!.logStream).toBe(env.AWS_LAMBDA_LOG_STREAM_NAME);
      expect(events.map((e) => e.message)).toContainEqual(expect.stringContaining('init line'));
      expect(events.every((e) => e.logStream === env.AWS_LAMBDA_LOG_STREAM_NAME)).toBe(true);
    });

    it('an init error in a pre-started sandbox is reported as in a normal start', async () => {
      const name = `init-${label}-${probe.label}`;
      const ready = await setUp(name, files, { FAIL_INIT: '1' });
      const out = await invokeJson(pooled.lambda, name, {}, true);
      const normal = await invokeJson(plain.lambda, name, {}, true);
      expect(out.FunctionError).toBe('Unhandled');
      expect(out.body).toEqual(normal.body);
      expect((out.body as { errorType: string }).errorType).toBe('ProbeInitError');
      expect(reportShape(out)).toBeDefined();
      expect(reportShape(out)).toBe(reportShape(normal));
      await waitFor('the pre-started sandbox to be used up', () => ready.some((pid) => !waiting(pooled, PROVIDED).includes(pid)));
    });
  });

  it('the function\'s memory size is the limit of a pre-started sandbox', async () => {
    const name = `mem-${label}`;
    const ready = await setUp(name, shellProbe(), {});
    const out = await invokeJson(pooled.lambda, name, { op: 'alloc' });
    const normal = await invokeJson(plain.lambda, name, { op: 'alloc' });
    const [got, want] = [out.body as ProviderReply, normal.body as ProviderReply];
    expect(runningFor(pooled, Object.fromEntries(environ(got)).AWS_LAMBDA_LOG_STREAM_NAME!).some((pid) => ready.includes(pid))).toBe(true);
    // dd's 300 MB buffer is over the 192 MB limit: killed (137) in both.
    expect([got.alloc, want.alloc]).toEqual([137, 137]);
  });
});

describe('deploys and demand', () => {
  // Spares beyond one go once no burst that large happened for this long (the pool's demand window).
  const IDLE_TIMEOUT_S = 45;
  let server: Lambkin;
  beforeAll(async () => {
    server = await startLambkin({ args: ['--idle-timeout', String(IDLE_TIMEOUT_S)] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('CreateFunction on a fresh server readies a sandbox for the provided shape; the first invoke is served by it', async () => {
    expect(waiting(server, PROVIDED)).toEqual([]);
    await create(server, 'first', shellProbe(), {});
    const ready = await waitFor('a sandbox readied by the deploy', () => waiting(server, PROVIDED).length > 0 && waiting(server, PROVIDED), 30_000);
    const out = await invokeJson(server.lambda, 'first', {}, true);
    expect(out.FunctionError).toBeUndefined();
    const env = Object.fromEntries(environ(out.body as ProviderReply));
    expect(runningFor(server, env.AWS_LAMBDA_LOG_STREAM_NAME!).some((pid) => ready.includes(pid))).toBe(true);
    expect(tailOf(out).find((l) => l.startsWith('REPORT'))).toMatch(/Init Duration: [\d.]+ ms/);
  }, 60_000);

  it('a burst of cold starts keeps as many spares ready; they are given back once demand falls', async () => {
    await create(server, 'burst', shellProbe(), {});
    // 3 at once, each long enough that none is free when the next arrives: 3 environments.
    const burst = await Promise.all(Array.from({ length: 3 }, () => invokeJson(server.lambda, 'burst', { op: 'sleep' })));
    expect(burst.every((r) => r.FunctionError === undefined)).toBe(true);
    expect(new Set(burst.map((r) => Object.fromEntries(environ(r.body as ProviderReply)).AWS_LAMBDA_LOG_STREAM_NAME)).size).toBe(3);
    await waitFor('3 spares of the provided shape', () => waiting(server, PROVIDED).length >= 3, 60_000);
    await waitFor('the spares beyond one to be given back', () => waiting(server, PROVIDED).length <= 1, (IDLE_TIMEOUT_S + 30) * 1000);
    expect(waiting(server, PROVIDED)).toHaveLength(1);
  }, 300_000);
});
