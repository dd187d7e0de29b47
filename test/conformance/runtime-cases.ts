// The runtime conformance suite: one list of cases, run by one short file per runtime
// (runtime-<key>.test.ts) against that runtime's probe (runtime-targets.ts, fixtures/). Each file
// starts one server, deploys the probe once (plus a function with a missing handler, one with an
// import error and one with a short timeout) and reuses its warm environment. Results go to
// test-output/runtime-matrix/ for the README's table.
import { CreateFunctionCommand, GetFunctionConfigurationCommand, type Runtime } from '@aws-sdk/client-lambda';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { ROLE, invoke as invokeFunction, waitFor } from '../helpers/functions.js';
import { zip, type Files } from '../helpers/zip.js';
import { MatrixRecorder } from './runtime-matrix.js';
import type { CaseId, Packages, RuntimeTarget } from './runtime-targets.js';

/** The probe's timeout: generous, so that a loaded machine never turns a slow case into a timeout. */
const PROBE_TIMEOUT_S = 30;
/** The timeout case's own function. */
const TIMEOUT_S = 2;
const SECRET = 'conformance-secret-5c1e';
/** 5 MB of text, varied so that a truncation or a shuffled chunk shows. */
const BIG = Array.from({ length: 5 * 1024 * 128 }, (_, i) => (i % 100).toString(36).padStart(8, '.')).join('');
const UNICODE = 'héllo wörld — Ελληνικά, 日本語, עברית, emoji 🎉👩‍💻, combining é, line\u2028separator, tab\tquote" backslash\\';

interface Answer {
  readonly functionError?: string;
  readonly requestId?: string;
  // biome-ignore lint/suspicious/noExplicitAny: each case checks its shape
  readonly body: any;
}

export function runtimeConformance(target: RuntimeTarget): void {
  const unavailable = target.unavailable();
  const record = new MatrixRecorder(target);
  const name = `conf-${target.key}`;
  let lk: Lambkin;
  let packages: Packages;

  const invoke = (fn: string, event: unknown): Promise<Answer> => invokeFunction<Answer['body']>(lk.lambda, fn, event);
  const create = (fn: string, files: Files, handler: string, timeout = PROBE_TIMEOUT_S) => lk.lambda.send(new CreateFunctionCommand({
    FunctionName: fn, Runtime: target.runtime as Runtime, Role: ROLE, Handler: handler, Code: { ZipFile: zip(files) },
    MemorySize: 256, Timeout: timeout, Environment: { Variables: { GREETING: 'hi there' } },
  }));

  /** One case: passing, failing (recorded, then rethrown), or not applicable (a visible passing test). */
  const conformance = (id: CaseId, title: string, body: () => Promise<void>) => {
    const na = target.notApplicable[id];
    if (na) {
      it(`${title} — not applicable: ${na}`, () => {
        record.mark(id, 'n/a', na);
      });
      return;
    }
    it(title, async () => {
      try {
        await body();
        record.mark(id, 'pass');
      } catch (err) {
        record.mark(id, 'fail', String(err instanceof Error ? err.message : err).split('\n')[0]);
        throw err;
      }
    });
  };

  describe(`runtime conformance: ${target.label} (${target.runtime})`, () => {
    if (unavailable) {
      it.skip(`${target.label} is not tested on this machine: ${unavailable}`, () => undefined);
      record.write({ unavailable }); // now: hooks of a block with only skipped tests may not run
      return;
    }

    beforeAll(async () => {
      packages = await target.build();
      lk = await startLambkin({ env: { LAMBKIN_CONFORMANCE_SECRET: SECRET } });
      await create(name, packages.probe, target.handler);
      const t = performance.now();
      const first = await invoke(name, { op: 'echo' });
      record.measure('coldStartMs', performance.now() - t);
      if (first.functionError) throw new Error(`the probe does not start: ${JSON.stringify(first.body)}\n${lk.output()}`);
    }, 600_000);
    afterAll(async () => {
      record.write();
      await lk?.stop();
    });

    conformance('echo', 'echo: the event comes back unchanged', async () => {
      const event = { op: 'echo', greeting: 'hello', n: [1, 2.5, -3, { deep: true }], nothing: null, flag: false, empty: {} };
      const res = await invoke(name, event);
      expect(res.functionError).toBeUndefined();
      expect(res.body).toEqual(event);
    });

    conformance('context', 'context: the fields Lambda gives, in the language\'s naming', async () => {
      const res = await invoke(name, { op: 'context' });
      const cfg = await lk.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      expect(res.functionError).toBeUndefined();
      const ctx = res.body;
      expect(ctx.functionName).toBe(name);
      expect(ctx.functionVersion).toBe('$LATEST');
      expect(String(ctx.memoryLimitInMB)).toBe('256');
      expect(ctx.awsRequestId).toBe(res.requestId);
      expect(ctx.invokedFunctionArn).toBe(cfg.FunctionArn);
      expect(ctx.logGroupName).toBe(`/aws/lambda/${name}`);
      expect(ctx.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      expect(ctx.remainingMs).toBeGreaterThan(0);
      expect(ctx.remainingMs).toBeLessThanOrEqual(PROBE_TIMEOUT_S * 1000);
    });

    conformance('env', "env vars: the function's own and Lambda's, none of the server's", async () => {
      const names = ['GREETING', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_REGION', 'TZ', '_HANDLER',
        'LAMBDA_TASK_ROOT', 'AWS_LAMBDA_RUNTIME_API', 'AWS_EXECUTION_ENV', 'LAMBKIN_CONFORMANCE_SECRET'];
      const { body, functionError } = await invoke(name, { op: 'env', names });
      expect(functionError).toBeUndefined();
      const v = body.values;
      expect(v.GREETING).toBe('hi there');
      expect(v.AWS_LAMBDA_FUNCTION_NAME).toBe(name);
      expect(v.AWS_LAMBDA_FUNCTION_MEMORY_SIZE).toBe('256');
      expect(v.AWS_REGION).toMatch(/^[a-z]+-[a-z]+-\d$/);
      expect(v.TZ).toBe('UTC');
      expect(v._HANDLER).toBe(target.handler);
      expect(v.LAMBDA_TASK_ROOT).toBeTruthy();
      expect(v.AWS_LAMBDA_RUNTIME_API).toMatch(/:\d+$/);
      expect(v.AWS_EXECUTION_ENV).toBe(target.runtime.startsWith('provided') ? null : `AWS_Lambda_${target.runtime}`);
      expect(v.LAMBKIN_CONFORMANCE_SECRET).toBeNull();
    });

    conformance('warm-state', 'module-level state is kept while the environment is warm', async () => {
      const runs: { count: number; stream: string }[] = [];
      for (let i = 0; i < 3; i++) runs.push((await invoke(name, { op: 'count' })).body);
      expect(runs.map((r) => r.count - runs[0].count)).toEqual([0, 1, 2]);
      expect(new Set(runs.map((r) => r.stream)).size).toBe(1);
    });

    conformance('error-shape', 'an uncaught error comes back as {errorMessage, errorType, stackTrace}', async () => {
      const message = 'boom: something went wrong';
      const res = await invoke(name, { op: 'throw', message });
      expect(res.functionError).toBe('Unhandled');
      expect(res.body.errorType).toBe(target.errorType);
      expect(res.body.errorMessage).toBe(message);
      expect(Array.isArray(res.body.stackTrace)).toBe(true);
      expect((await invoke(name, { op: 'echo', after: 'error' })).body).toEqual({ op: 'echo', after: 'error' });
    });

    conformance('marshal-error', 'a result that is not JSON is a runtime error (Runtime.MarshalError)', async () => {
      const res = await invoke(name, { op: 'marshal' });
      expect(res.functionError).toBe('Unhandled');
      expect(res.body.errorType).toBe(target.marshalErrorType ?? 'Runtime.MarshalError');
      expect(res.body.errorMessage).toBeTruthy();
    });

    conformance('handler-not-found', 'a handler that is not there fails the invoke with Runtime.HandlerNotFound', async () => {
      await create(`${name}-nohandler`, packages.probe, target.missingHandler!);
      const res = await invoke(`${name}-nohandler`, { op: 'echo' });
      expect(res.functionError).toBe('Unhandled');
      expect(res.body.errorType).toBe(target.handlerNotFoundType);
      expect(res.body.errorMessage).toMatch(/no_such_handler|noSuchMethod/);
    });

    conformance('import-error', "a handler module whose dependency is missing fails with the runtime's import error", async () => {
      await create(`${name}-import`, packages.importError!, target.importErrorHandler ?? target.handler);
      const res = await invoke(`${name}-import`, { op: 'echo' });
      expect(res.functionError).toBe('Unhandled');
      expect(res.body.errorType).toBe(target.importErrorType);
      expect(res.body.errorMessage).toContain(target.importErrorMentions);
    });

    conformance('remaining-time', 'getRemainingTimeInMillis decreases during an invocation', async () => {
      const { body } = await invoke(name, { op: 'remaining', ms: 300 });
      expect(body.first).toBeLessThanOrEqual(PROBE_TIMEOUT_S * 1000);
      expect(body.second).toBeGreaterThan(0);
      expect(body.second).toBeLessThan(body.first);
    });

    conformance('large-payload', 'a 5 MB event and a 5 MB result pass whole', async () => {
      const res = await invoke(name, { op: 'echo', big: BIG });
      expect(res.functionError).toBeUndefined();
      expect(res.body.big.length).toBe(BIG.length);
      expect(res.body.big === BIG).toBe(true);
    });

    conformance('unicode', 'unicode text passes unchanged both ways', async () => {
      const event = { op: 'echo', text: UNICODE, 'ключ': 'значение', '🔑': ['ü', 'ß', '中'] };
      const res = await invoke(name, event);
      expect(res.body).toEqual(event);
    });

    conformance('logs', "what the function logs reaches the function's log group", async () => {
      const text = `conformance-log-line ${target.key} ünïcødé`;
      const res = await invoke(name, { op: 'log', text });
      expect(res.body).toEqual({ logged: true });
      // Polled: a line on stdout travels apart from the response and may land a moment after it.
      const found = await waitFor('the log line', async () => {
        const out = await lk.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}`, filterPattern: `"${text}"` }));
        return out.events?.find((e) => e.message?.includes(text));
      });
      expect(found.logStreamName).toMatch(/\[\$LATEST\][0-9a-f]{32}$/);
    });

    conformance('timeout', 'a handler past its timeout fails with Sandbox.Timedout, and the next invoke works', async () => {
      await create(`${name}-timeout`, packages.probe, target.handler, TIMEOUT_S);
      const res = await invoke(`${name}-timeout`, { op: 'sleep', ms: 60_000 });
      expect(res.functionError).toBe('Unhandled');
      expect(res.body.errorType).toBe('Sandbox.Timedout');
      expect(res.body.errorMessage).toMatch(new RegExp(`Task timed out after ${TIMEOUT_S}\\.00 seconds`));
      expect((await invoke(`${name}-timeout`, { op: 'echo', after: 'timeout' })).body).toEqual({ op: 'echo', after: 'timeout' });
    });
  });
}
