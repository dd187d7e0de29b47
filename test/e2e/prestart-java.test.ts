// Java in the pre-start pool (src/sandbox/prestart/pool.ts, runtimes/java/.../Prestart.java): a
// cold start served by a pre-started JVM must look like one started for its function — the same
// System.getenv() (and ProcessBuilder environment), an empty /tmp, the function's heap limit (the
// JVM's -Xmx comes from MemorySize: a spare of another MemorySize must not serve it), init errors,
// REPORT with Init Duration, logs in the environment's stream. Each case is compared with the same
// function on a server without the pool (LAMBKIN_PRESTART=off), as test/e2e/prestart.test.ts does
// for Node.js and Python.
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Lambkin } from '../helpers/server.js';
import { ROLE, waitFor } from '../helpers/functions.js';
import { invokeJson } from '../helpers/logs.js';
import { zip } from '../helpers/zip.js';
import {
  FUNCTION_VARIABLES, PRESTART_SANDBOXES, expectColdStartLog, expectFunctionEnvironment, expectSameReport, pooledAndPlain, useServerPair, waiting,
} from '../helpers/prestart.js';
import { FIXTURES, compileJava, which } from '../conformance/runtime-packages.js';

const JAVA = { label: 'java' } as const;

interface Reply {
  env: Record<string, string>;
  tmp: string[];
  cwd: string;
  prestarted: boolean;
  stream: string;
  memory: number;
  property: string | null;
  child: string;
  stdin: number;
}

describe.skipIf(!which('javac'))('Java in the pre-start pool', () => {
  const code = zip(compileJava(join(FIXTURES, 'java/prestart')));

  describe.each(PRESTART_SANDBOXES)('$label sandbox', ({ label, args }) => {
    const servers = useServerPair(args);

    async function create(server: Lambkin, name: string, memory: number, variables: Record<string, string>): Promise<void> {
      await server.lambda.send(new CreateFunctionCommand({
        FunctionName: name, Runtime: 'java17', Role: ROLE, Handler: 'example.Probe::handleRequest', MemorySize: memory, Timeout: 60,
        Code: { ZipFile: code }, Environment: { Variables: variables },
      }));
    }

    /** Pre-started JVMs waiting with the heap of `memory` MB (java.ts: 3/4 of it). */
    const sized = (memory: number) => waiting(servers.pooled, JAVA).filter((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').includes(`-Xmx${Math.floor(memory * 0.75)}m`));

    /** Create `name` on both servers; the deploy readies a JVM for its MemorySize: wait until one waits. */
    async function setUp(name: string, memory: number, variables: Record<string, string> = {}): Promise<number[]> {
      await Promise.all([servers.pooled, servers.plain].map((s) => create(s, name, memory, variables)));
      return waitFor(`a pre-started JVM for ${memory} MB`, () => sized(memory).length > 0 && sized(memory));
    }

    it('a cold start from the pool sees exactly the function\'s environment, an empty /tmp, its stream and Init Duration', async () => {
      const name = `env-${label}`;
      await setUp(name, 320, FUNCTION_VARIABLES);
      const { out, got, want } = await pooledAndPlain<Reply>(servers, name);
      expectFunctionEnvironment(got.env, want.env, 320);
      expect(got.memory).toBe(320);
      expect(got.child).toBe('yes');
      expect([got.stdin, want.stdin]).toEqual([-1, -1]);
      expect(got.tmp).toEqual([]);
      expect(got.cwd).toBe(got.env.LAMBDA_TASK_ROOT);

      const events = await expectColdStartLog(servers.pooled, out, got, 320);
      expect(events.map((e) => e.message)).toContainEqual(expect.stringContaining('init line'));
    });

    it('an init error in a pre-started JVM is reported as in a normal start', async () => {
      const name = `init-${label}`;
      const ready = await setUp(name, 256, { FAIL_INIT: '1' });
      const out = await invokeJson(servers.pooled.lambda, name, {}, true);
      const normal = await invokeJson(servers.plain.lambda, name, {}, true);
      expect(out.FunctionError).toBe('Unhandled');
      expect(out.body).toEqual(normal.body);
      expect((out.body as { errorType: string }).errorType).toBe('java.lang.IllegalStateException');
      expectSameReport(out, normal);
      await waitFor('the pre-started JVM to be used up', () => ready.some((pid) => !waiting(servers.pooled, JAVA).includes(pid)));
    });

    it('the JVM\'s heap is sized for the function\'s memory, whatever spares of other sizes wait', async () => {
      // A spare for 1024 MB waits too; the 128 MB function must not get its larger heap.
      await create(servers.pooled, `big-${label}`, 1024, {});
      await waitFor('a pre-started JVM for 1024 MB', () => sized(1024).length > 0);
      const name = `mem-${label}`;
      const ready = await setUp(name, 128);
      const out = await invokeJson(servers.pooled.lambda, name, { op: 'alloc' });
      const normal = await invokeJson(servers.plain.lambda, name, { op: 'alloc' });
      expect(out.FunctionError).toBe('Unhandled');
      expect((out.body as { errorType: string }).errorType).toBe((normal.body as { errorType: string }).errorType);
      expect((out.body as { errorType: string }).errorType).toBe('java.lang.OutOfMemoryError');
      await waitFor('the 128 MB JVM to be used up', () => ready.some((pid) => !sized(128).includes(pid)));
    });

    it('a function setting a variable the JVM reads as it starts gets a JVM of its own', async () => {
      const name = `startup-${label}`;
      await Promise.all([servers.pooled, servers.plain].map((s) => create(s, name, 384, { JAVA_TOOL_OPTIONS: '-Dprobe.flag=yes' })));
      const out = await invokeJson(servers.pooled.lambda, name, {});
      const got = out.body as Reply;
      expect(out.FunctionError).toBeUndefined();
      expect(got.prestarted).toBe(false);
      expect(got.property).toBe('yes');
    });
  });
});
