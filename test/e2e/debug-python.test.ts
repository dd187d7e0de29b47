// A Python debug environment (debugpy) driven over the Debug Adapter Protocol as VS Code's
// "attach" does it, against a real server in the namespace sandbox: a breakpoint in the handler
// stops the invocation, a local is read, the invocation stays stopped until the client continues,
// then its result arrives. Needs a Python with debugpy: Debian's python3-debugpy is for /usr/bin's
// python3, so the server is started with /usr/bin first on its PATH (skipped where it has none).
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { createFunction, invoke, PYTHON, type Invoked } from '../helpers/functions.js';
import { DapSession } from '../helpers/dap.js';

const PATH = `/usr/bin:${process.env.PATH ?? ''}`;
const hasDebugpy = spawnSync('python3', ['-c', 'import debugpy'], { env: { ...process.env, PATH }, stdio: 'ignore' }).status === 0;

const HANDLER = `def lambda_handler(event, context):
    doubled = event["n"] * 2
    return {"doubled": doubled}
`;

let lk: Lambkin;

beforeAll(async () => {
  if (!hasDebugpy) return;
  lk = await startLambkin({ env: { PATH } });
  // A 1 s timeout: the stop below lasts longer, which only a suspended timeout allows.
  await createFunction(lk.lambda, 'dbgpy', PYTHON, { 'lambda_function.py': HANDLER }, { Timeout: 1 });
}, 60_000);

afterAll(async () => {
  await lk?.stop();
});

/** `p`, or a failure saying what `explain` finds if it has not settled after `ms`. */
async function within<T>(ms: number, p: Promise<T>, explain: () => Promise<string> | string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => void Promise.resolve(explain()).then((why) => reject(new Error(`not within ${ms} ms:\n${why}`))), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The debug adapter once it answers `initialize` (a connection made while it starts is closed). */
async function adapter(port: number): Promise<DapSession> {
  for (let i = 0; ; i++) {
    const dap = await DapSession.connect(port).catch(() => undefined);
    try {
      if (dap) {
        await dap.request('initialize', { clientID: 'lambkin-test', adapterID: 'debugpy', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
        return dap;
      }
    } catch (err) {
      dap?.close();
      if (i >= 300) throw err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!hasDebugpy)('invoke --debug (Python, debugpy)', () => {
  it('stops at a breakpoint, shows a local, stays stopped until continued, then the result arrives', async () => {
    const res = await fetch(`${lk.url}/lambkin/v1/functions/dbgpy/debug`, { method: 'POST', body: '{}' });
    const session = (await res.json()) as { port: number; protocol: string };
    expect(res.status).toBe(200);
    expect(session.protocol).toBe('debugpy');

    const dap = await within(60_000, adapter(session.port), () => 'the debug adapter never answered initialize');
    const seen = async () => `DAP ${dap.trace.join('\n')}\nenvironments ${await (await fetch(`${lk.url}/lambkin/v1/environments?function=dbgpy`)).text()}\nserver ${lk.output().slice(-2000)}`;
    try {
      // The attach is answered once configuration is done; the adapter asks for it with `initialized`.
      const attached = dap.request('attach', { justMyCode: true });
      await within(30_000, dap.event('initialized'), seen);
      const bps = await within(30_000, dap.request('setBreakpoints', { source: { path: '/var/task/lambda_function.py' }, breakpoints: [{ line: 3 }] }), seen);
      expect((bps.breakpoints as { verified: boolean }[])[0]!.verified).toBe(true);
      await within(30_000, dap.request('configurationDone'), seen);
      await within(30_000, attached, seen);

      let settled: Invoked<{ doubled: number }> | undefined;
      const result = invoke<{ doubled: number }>(lk.lambda, 'dbgpy', { n: 21 }).then((r) => (settled = r));
      const stopped = await within(60_000, dap.event('stopped'), seen);
      expect(stopped.reason).toBe('breakpoint');
      const threadId = stopped.threadId as number;
      const stack = await within(30_000, dap.request('stackTrace', { threadId }), seen);
      const frame = (stack.stackFrames as { id: number; name: string; line: number }[])[0]!;
      expect(frame.name).toBe('lambda_handler');
      expect(frame.line).toBe(3);
      const value = await within(30_000, dap.request('evaluate', { expression: 'doubled', frameId: frame.id, context: 'watch' }), seen);
      expect(value.result).toBe('42');

      // Stopped until the client says continue: three times the function's timeout later, nothing
      // has moved on by itself (no continued event, no result) and its environment is still busy.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(settled, await seen()).toBeUndefined();
      expect(dap.has('continued'), await seen()).toBe(false);
      const envs = (await (await fetch(`${lk.url}/lambkin/v1/environments?function=dbgpy`)).json()) as { environments: { busy: boolean }[] };
      expect(envs.environments.filter((e) => e.busy)).toHaveLength(1);
      const again = await within(30_000, dap.request('evaluate', { expression: 'doubled + 1', frameId: frame.id, context: 'watch' }), seen);
      expect(again.result).toBe('43');

      await within(30_000, dap.request('continue', { threadId }), seen);
      const out = await within(60_000, result, seen);
      expect(out.functionError).toBeUndefined();
      expect(out.body.doubled).toBe(42);
    } finally {
      dap.close();
    }
  }, 180_000);
});
