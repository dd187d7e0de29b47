// Cold starts served by a pre-started runtime (src/sandbox/prestart/pool.ts) must be
// indistinguishable from normal ones: the function's environment and nothing else, an empty /tmp,
// the function's memory limit, init errors in Lambda's shape, REPORT with Init Duration, logs in the
// environment's stream. Each case is compared with the same function on a server that keeps no
// pre-started runtimes (LAMBKIN_PRESTART=off). A runtime was pre-started when its start-up
// environment (/proc/self/environ, which later changes to the environment do not touch) has the
// pool's marker.
import { describe, expect, it } from 'vitest';
import { RUNTIME_CASES, createFunction, waitFor, type RuntimeCase } from '../helpers/functions.js';
import { invokeJson } from '../helpers/logs.js';
import type { Files } from '../helpers/zip.js';
import {
  FUNCTION_VARIABLES, PRESTART_SANDBOXES, expectColdStartLog, expectFunctionEnvironment, expectSameReport, pooledAndPlain, useServerPair, waiting,
} from '../helpers/prestart.js';

const NODE_FN = `
const fs = require('node:fs');
const os = require('node:os');
console.log('init line');
if (process.env.FAIL_INIT) throw new TypeError('broken at init');
exports.lambda_handler = async (event, context) => {
  if (event.op === 'alloc') { const keep = []; for (let i = 0; i < 64; i++) keep.push(Buffer.alloc(16 << 20, 1)); return keep.length; }
  console.log('handler line');
  return {
    env: { ...process.env }, tmp: fs.readdirSync(os.tmpdir()), cwd: process.cwd(), title: process.title,
    prestarted: fs.readFileSync('/proc/self/environ', 'latin1').split('\\0').includes('_LAMBKIN_PRESTART=1'),
    stream: context.logStreamName,
  };
};
`;

const PYTHON_FN = `
import os, sys, tempfile
print('init line')
if os.environ.get('FAIL_INIT'):
    raise TypeError('broken at init')
def lambda_handler(event, context):
    if event.get('op') == 'alloc':
        keep = [b'\\x01' * (16 << 20) for _ in range(64)]
        return len(keep)
    print('handler line')
    return {
        'env': dict(os.environ), 'tmp': os.listdir(tempfile.gettempdir()), 'cwd': os.getcwd(), 'path': sys.path,
        'prestarted': b'_LAMBKIN_PRESTART=1' in open('/proc/self/environ', 'rb').read().split(b'\\0'),
        'stream': context.log_stream_name,
    }
`;

const files = (rt: RuntimeCase): Files => ({ [rt.file]: rt.label === 'node' ? NODE_FN : PYTHON_FN });

interface Reply {
  env: Record<string, string>;
  tmp: string[];
  cwd: string;
  title?: string;
  path?: string[];
  prestarted: boolean;
  stream: string;
}

describe.each(PRESTART_SANDBOXES)('$label sandbox', ({ label, args }) => {
  const servers = useServerPair(args);

  /** Create `name` on both servers; on the pooled one, use its runtime once and wait for a runtime to be waiting. */
  async function setUp(rt: RuntimeCase, name: string, extra: Parameters<typeof createFunction>[4] = {}): Promise<number> {
    const warmUp = `${name}-first`;
    await createFunction(servers.pooled.lambda, warmUp, rt, files(rt));
    await invokeJson(servers.pooled.lambda, warmUp, {});
    await Promise.all([servers.pooled, servers.plain].map((s) => createFunction(s.lambda, name, rt, files(rt), extra)));
    const [pid] = await waitFor(`a pre-started ${rt.label} runtime`, () => waiting(servers.pooled, rt).length > 0 && waiting(servers.pooled, rt));
    return pid!;
  }

  describe.each(RUNTIME_CASES)('$label', (rt) => {
    it('a cold start from the pool sees exactly the function\'s environment, an empty /tmp, its code, its stream', async () => {
      const name = `env-${label}-${rt.label}`;
      await setUp(rt, name, { MemorySize: 192, Environment: { Variables: FUNCTION_VARIABLES } });
      const { out, got, want } = await pooledAndPlain<Reply>(servers, name);
      expectFunctionEnvironment(got.env, want.env, 192);
      expect(got.tmp).toEqual([]);
      expect(got.cwd).toBe(got.env.LAMBDA_TASK_ROOT);
      if (rt.label === 'python') expect(got.path![0]).toBe(got.env.LAMBDA_TASK_ROOT);

      await expectColdStartLog(servers.pooled, out, got, 192);
    });

    it('an init error in a pre-started runtime is reported as in a normal start', async () => {
      const name = `init-${label}-${rt.label}`;
      await setUp(rt, name, { Environment: { Variables: { FAIL_INIT: '1' } } });
      // While cold starts come back to back the pool keeps more than one ready: one of them serves it.
      const ready = waiting(servers.pooled, rt);
      const out = await invokeJson(servers.pooled.lambda, name, {}, true);
      const normal = await invokeJson(servers.plain.lambda, name, {}, true);
      expect(out.FunctionError).toBe('Unhandled');
      const { errorType, errorMessage } = out.body as { errorType: string; errorMessage: string };
      expect({ errorType, errorMessage }).toEqual({ errorType: (normal.body as { errorType: string }).errorType, errorMessage: (normal.body as { errorMessage: string }).errorMessage });
      expect(errorType).toMatch(/TypeError|Runtime\./);
      // The same REPORT fields as the normal start's (request id and figures aside).
      expectSameReport(out, normal);
      // The waiting runtime served it (and is gone with its failed environment).
      await waitFor('a pre-started runtime to be used up', () => ready.some((pid) => !waiting(servers.pooled, rt).includes(pid)));
    });

    it('the function\'s memory size is the limit of a pre-started sandbox', async () => {
      const name = `mem-${label}-${rt.label}`;
      await setUp(rt, name, { MemorySize: 128 });
      const out = await invokeJson(servers.pooled.lambda, name, { op: 'alloc' });
      const normal = await invokeJson(servers.plain.lambda, name, { op: 'alloc' });
      expect(out.FunctionError).toBe('Unhandled');
      expect((out.body as { errorType: string }).errorType).toBe((normal.body as { errorType: string }).errorType);
    });

    it('a function setting a variable read at interpreter start-up gets a runtime of its own', async () => {
      const name = `startup-${label}-${rt.label}`;
      const variables = rt.label === 'node' ? { NODE_OPTIONS: '--title=lambkin-probe' } : { PYTHONPATH: '/var/task/extra' };
      await setUp(rt, name, { Environment: { Variables: variables } });
      const out = await invokeJson(servers.pooled.lambda, name, {});
      const got = out.body as Reply;
      expect(out.FunctionError).toBeUndefined();
      expect(got.prestarted).toBe(false);
      if (rt.label === 'node') expect(got.title).toBe('lambkin-probe');
      else expect(got.path).toContain('/var/task/extra');
    });
  });
});
