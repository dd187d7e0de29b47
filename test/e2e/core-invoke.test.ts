// Invoking functions through the real AWS SDK, for each runtime: warm reuse, the context object,
// environment variables (and nothing of the server's own), and how failures come back: the
// handler's own errors, results that are not JSON, and init failures (docs/lambda-contracts.md §3).
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import {
  NODE, PYTHON, RUNTIME_CASES, createFunction, invoke, probe, type FunctionErrorBody, type RuntimeCase,
} from '../helpers/functions.js';
import type { Files } from '../helpers/zip.js';

const SECRET = 'do-not-leak-7f3a';
let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin({ env: { LAMBKIN_TEST_SECRET: SECRET } });
});
afterAll(async () => {
  await lk?.stop();
});

/** Every variable a runtime may see: Lambda's own (docs/lambda-contracts.md §1), PATH, LANG, TZ, TMPDIR. */
const ALLOWED_ENV = new Set([
  'PATH', 'LANG', 'TZ', 'TMPDIR', '_HANDLER', '_X_AMZN_TRACE_ID', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
  'AWS_LAMBDA_RUNTIME_API', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_LOG_FORMAT', '_LAMBDA_TELEMETRY_LOG_FD',
  'PYTHONDONTWRITEBYTECODE', // the Python runtime's own setting (runtimes/catalogue.ts)
]);

describe.each(RUNTIME_CASES)('$label', (rt) => {
  const name = `probe-${rt.label}`;

  beforeAll(async () => {
    await createFunction(lk.lambda, name, rt, probe(rt), { MemorySize: 256, Timeout: 5, Environment: { Variables: { GREETING: 'hi there' } } });
  });

  it('keeps one warm environment: module state grows, same log stream', async () => {
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push((await invoke(lk.lambda, name, { i })).body);
    expect(runs.map((r) => r.count)).toEqual([1, 2, 3]);
    expect(new Set(runs.map((r) => r.context.logStreamName)).size).toBe(1);
  });

  it('passes the event and gives the context Lambda gives', async () => {
    const event = { hello: 'world', n: [1, 2, { deep: true }] };
    const res = await invoke(lk.lambda, name, event);
    const cfg = await lk.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(res.status).toBe(200);
    expect(res.functionError).toBeUndefined();
    expect((res.body as unknown as { event: unknown }).event).toEqual(event);
    const ctx = res.body.context;
    expect(ctx.functionName).toBe(name);
    expect(ctx.functionVersion).toBe('$LATEST');
    expect(ctx.memoryLimitInMB).toBe('256');
    // The x-amzn-RequestId of the Invoke response is the invocation's request id: a version-4
    // UUID, as Lambda's (lambkin's are ordered by time: src/request-id.ts).
    expect(ctx.awsRequestId).toBe(res.requestId);
    expect(res.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ctx.invokedFunctionArn).toBe(cfg.FunctionArn);
    expect(ctx.logGroupName).toBe(`/aws/lambda/${name}`);
    expect(ctx.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(ctx.remainingMs).toBeGreaterThan(0);
    expect(ctx.remainingMs).toBeLessThanOrEqual(5000);
  });

  it("sets the function's variables and Lambda's, and nothing of the server's environment", async () => {
    const { body } = await invoke<{ env: Record<string, string> }>(lk.lambda, name, { op: 'env' });
    const env = body.env;
    expect(env.GREETING).toBe('hi there');
    expect(env.TZ).toBe('UTC');
    expect(env.PATH).toBe(process.env.PATH);
    expect(env.AWS_LAMBDA_FUNCTION_NAME).toBe(name);
    expect(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE).toBe('256');
    expect(env._HANDLER).toBe('lambda_function.lambda_handler');
    expect(env.AWS_EXECUTION_ENV).toBe(`AWS_Lambda_${rt.runtime}`);
    expect(Object.values(env)).not.toContain(SECRET);
    const unexpected = Object.keys(env).filter((k) => !ALLOWED_ENV.has(k) && k !== 'GREETING');
    expect(unexpected).toEqual([]);
  });

  it('answers an uncaught error with its class, message and stack, and stays warm', async () => {
    const before = (await invoke(lk.lambda, name)).body;
    const res = await invoke<FunctionErrorBody>(lk.lambda, name, { op: 'throw', message: 'it broke' });
    expect(res.status).toBe(200);
    expect(res.functionError).toBe('Unhandled');
    expect(res.body.errorType).toBe('CustomError');
    expect(res.body.errorMessage).toBe('it broke');
    expect(Array.isArray(res.body.stackTrace)).toBe(true);
    expect(res.body.stackTrace!.length).toBeGreaterThan(0);
    for (const frame of res.body.stackTrace!) expect(typeof frame).toBe('string');
    expect(res.body.stackTrace!.join('\n')).toContain('lambda_function');

    const builtin = await invoke<FunctionErrorBody>(lk.lambda, name, { op: 'type-error' });
    expect(builtin.functionError).toBe('Unhandled');
    expect(builtin.body.errorType).toBe(rt.label === 'node' ? 'TypeError' : 'AttributeError');

    // A handler error is not a crash: the same environment serves the next invoke.
    const after = (await invoke(lk.lambda, name)).body;
    expect(after.context.logStreamName).toBe(before.context.logStreamName);
    expect(after.count).toBe(before.count + 3);
  });

  const unmarshallable = rt.label === 'node' ? ['bigint', 'circular'] : ['set', 'object', 'datetime'];
  it.each(unmarshallable)('answers a result that is not JSON (%s) with Runtime.MarshalError', async (op) => {
    const res = await invoke<FunctionErrorBody>(lk.lambda, name, { op });
    expect(res.functionError).toBe('Unhandled');
    expect(res.body.errorType).toBe('Runtime.MarshalError');
    expect(res.body.errorMessage).toMatch(/marshal|serializ|stringify/i);
  });

  const src = (code: string) => ({ [rt.file]: code });
  const node = rt.label === 'node';
  const initCases = [
    {
      what: 'an import error', errorType: 'Runtime.ImportModuleError', handler: 'lambda_function.lambda_handler',
      files: src(node ? "require('no-such-module-x');\nexports.lambda_handler = async () => 1;\n" : 'import no_such_module_x\ndef lambda_handler(e, c):\n    return 1\n'),
      message: node ? /no-such-module-x/ : /Unable to import module 'lambda_function'.*no_such_module_x/,
    },
    {
      what: 'a missing handler module', errorType: 'Runtime.ImportModuleError', handler: 'nothere.lambda_handler',
      files: probe(rt), message: /nothere/,
    },
    {
      what: 'a syntax error', errorType: 'Runtime.UserCodeSyntaxError', handler: 'lambda_function.lambda_handler',
      files: src(node ? 'exports.lambda_handler = async (e => {;\n' : 'def lambda_handler(event, context)\n    return 1\n'),
      message: /./,
    },
    {
      what: 'a missing handler function', errorType: 'Runtime.HandlerNotFound', handler: 'lambda_function.nope',
      files: probe(rt),
      message: node ? /lambda_function\.nope is undefined or not exported/ : /Handler 'nope' missing on module 'lambda_function'/,
    },
    {
      what: 'a malformed handler string', errorType: 'Runtime.MalformedHandlerName', handler: 'lambda_function',
      files: probe(rt), message: /./,
    },
  ];
  it.each(initCases)('answers $what with $errorType, every time', async ({ what, errorType, handler, files, message }) => {
    const fnName = `init-${rt.label}-${what.replaceAll(' ', '-')}`;
    await createFunction(lk.lambda, fnName, rt, files, { Handler: handler });
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await invoke<FunctionErrorBody>(lk.lambda, fnName);
      expect(res.functionError).toBe('Unhandled');
      expect(res.body.errorType).toBe(errorType);
      expect(res.body.errorMessage).toMatch(message);
    }
  });
});

describe('handler forms', () => {
  const forms: { what: string; rt: RuntimeCase; handler: string; files: Files }[] = [
    { what: 'a Node.js ES module (.mjs)', rt: NODE, handler: 'lambda_function.lambda_handler',
      files: { 'lambda_function.mjs': 'export const lambda_handler = async (event) => ({ form: "mjs", event });' } },
    { what: 'a Node.js package of "type": "module"', rt: NODE, handler: 'app.handler',
      files: { 'package.json': '{"type":"module"}', 'app.js': 'export async function handler(event) { return { form: "esm", event }; }' } },
    { what: 'a Node.js callback handler in a subfolder', rt: NODE, handler: 'src/lib/app.handler',
      files: { 'src/lib/app.js': 'exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { form: "callback", event }), 10); };' } },
    { what: 'a Python handler in a subfolder', rt: PYTHON, handler: 'src/app.handler',
      files: { 'src/app.py': 'def handler(event, context):\n    return {"form": "py-sub", "event": event}\n' } },
  ];
  it.each(forms)('runs $what', async ({ what, rt, handler, files }) => {
    const name = `form-${what.replace(/[^a-zA-Z0-9]+/g, '-').replace(/-$/, '')}`;
    await createFunction(lk.lambda, name, rt, files, { Handler: handler });
    const res = await invoke<{ form: string; event: unknown }>(lk.lambda, name, { x: 1 });
    expect(res.functionError).toBeUndefined();
    expect(res.body.event).toEqual({ x: 1 });
  });
});
