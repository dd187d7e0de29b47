// Fixture functions for the end-to-end tests, one "probe" per runtime that does what the event
// asks (count, report its context, sleep, hold until released, crash, throw, return bad values),
// so that one function (and few cold starts) covers many behaviours. Plus small helpers to
// create, invoke and wait for conditions through the real AWS SDK.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateFunctionCommand, InvokeCommand, type CreateFunctionCommandInput, type LambdaClient,
} from '@aws-sdk/client-lambda';
import { zip, type Files } from './zip.js';

export const ROLE = 'arn:aws:iam::123456789012:role/lambkin-test';

export interface RuntimeCase {
  readonly label: 'node' | 'python';
  readonly runtime: 'nodejs20.x' | 'python3.11';
  /** The handler module's file name for lambda_function.lambda_handler. */
  readonly file: string;
}

export const NODE: RuntimeCase = { label: 'node', runtime: 'nodejs20.x', file: 'lambda_function.js' };
export const PYTHON: RuntimeCase = { label: 'python', runtime: 'python3.11', file: 'lambda_function.py' };
export const RUNTIME_CASES: readonly RuntimeCase[] = [NODE, PYTHON];

/**
 * Server flags for tests that hold invocations open through a shared folder (op 'hold'): what they
 * test (scheduling, throttling, retirement) is the same under every sandbox, but only the process
 * sandbox shares the host's files. Every other test runs on the default sandbox.
 */
export const PROCESS_SANDBOX = ['--sandbox', 'process'] as const;

// `hold`: create <dir>/<request id>.started, then wait until <dir>/release exists. This lets a test
// know an invocation is running and decide when it ends, without guessing with sleeps. It needs a
// folder shared with the host: servers of tests that hold use `--sandbox process` (PROCESS_SANDBOX).
const NODE_PROBE = `
const fs = require('node:fs');
let count = 0;
class CustomError extends Error { constructor(m) { super(m); this.name = 'CustomError'; } }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
exports.lambda_handler = async (event, context) => {
  count += 1;
  switch (event.op) {
    case 'sleep': await sleep(event.ms); break;
    case 'hold':
      fs.writeFileSync(event.dir + '/' + context.awsRequestId + '.started', '');
      while (!fs.existsSync(event.dir + '/release')) await sleep(20);
      break;
    case 'exit': process.exit(event.code);
    case 'kill': process.kill(process.pid, 'SIGKILL'); await sleep(10000); break;
    case 'throw': throw new CustomError(event.message);
    case 'late-throw': setTimeout(() => { throw new CustomError(event.message); }, 0); await sleep(100); break;
    case 'type-error': null.boom(); break;
    case 'bigint': return { n: 10n };
    case 'circular': { const o = { a: 1 }; o.self = o; return o; }
    case 'big': return 'x'.repeat(event.size);
    case 'env': return { env: { ...process.env } };
    case 'tmp': {
      const file = require('node:path').join(require('node:os').tmpdir(), 'scratch.txt');
      const existed = fs.existsSync(file);
      fs.writeFileSync(file, 'x');
      return { file, existed };
    }
  }
  return {
    version: VERSION, count, event,
    context: {
      functionName: context.functionName, functionVersion: context.functionVersion,
      memoryLimitInMB: String(context.memoryLimitInMB), awsRequestId: context.awsRequestId,
      invokedFunctionArn: context.invokedFunctionArn, logGroupName: context.logGroupName,
      logStreamName: context.logStreamName, remainingMs: context.getRemainingTimeInMillis(),
    },
  };
};
`;

const PYTHON_PROBE = `
import datetime, os, sys, time
count = 0
class CustomError(Exception):
    pass
def lambda_handler(event, context):
    global count
    count += 1
    op = event.get('op')
    if op == 'sleep':
        time.sleep(event['ms'] / 1000)
    elif op == 'hold':
        open(event['dir'] + '/' + context.aws_request_id + '.started', 'w').close()
        while not os.path.exists(event['dir'] + '/release'):
            time.sleep(0.02)
    elif op == 'exit':
        sys.exit(event['code'])
    elif op == 'kill':
        os.kill(os.getpid(), 9)
    elif op == 'throw':
        raise CustomError(event['message'])
    elif op == 'type-error':
        None.boom()
    elif op == 'set':
        return {1, 2}
    elif op == 'object':
        return object()
    elif op == 'datetime':
        return {'t': datetime.datetime.now()}
    elif op == 'big':
        return 'x' * event['size']
    elif op == 'env':
        return {'env': dict(os.environ)}
    elif op == 'tmp':
        import tempfile
        path = os.path.join(tempfile.gettempdir(), 'scratch.txt')
        existed = os.path.exists(path)
        with open(path, 'w') as f:
            f.write('x')
        return {'file': path, 'existed': existed}
    return {
        'version': VERSION, 'count': count, 'event': event,
        'context': {
            'functionName': context.function_name, 'functionVersion': context.function_version,
            'memoryLimitInMB': str(context.memory_limit_in_mb), 'awsRequestId': context.aws_request_id,
            'invokedFunctionArn': context.invoked_function_arn, 'logGroupName': context.log_group_name,
            'logStreamName': context.log_stream_name, 'remainingMs': context.get_remaining_time_in_millis(),
        },
    }
`;

/** The probe's package; `version` is returned by every plain invoke (to tell code versions apart). */
export function probe(rt: RuntimeCase, version = 'v1'): Files {
  const header = rt.label === 'node' ? `const VERSION = ${JSON.stringify(version)};` : `VERSION = ${JSON.stringify(version)}`;
  return { [rt.file]: header + (rt.label === 'node' ? NODE_PROBE : PYTHON_PROBE) };
}

/** What a plain probe invoke returns. */
export interface ProbeResult {
  version: string;
  count: number;
  context: Record<string, string | number>;
}

export async function createFunction(
  lambda: LambdaClient, name: string, rt: RuntimeCase, files: Files = probe(rt),
  extra: Partial<CreateFunctionCommandInput> = {},
): Promise<void> {
  await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: rt.runtime, Role: ROLE, Handler: 'lambda_function.lambda_handler',
    Code: { ZipFile: zip(files) }, ...extra,
  }));
}

export interface Invoked<T> {
  readonly status: number | undefined;
  readonly functionError: string | undefined;
  readonly requestId: string | undefined;
  readonly body: T;
}

export interface InvokeOptions {
  /** The payload as sent, instead of `event` as JSON (to send what is not JSON). */
  readonly payload?: string;
  readonly qualifier?: string;
  /** X-Amz-Client-Context, base64. */
  readonly clientContext?: string;
}

/** The tests' one Invoke (RequestResponse): status, function error, request id and the body parsed. */
export async function invoke<T = ProbeResult>(lambda: LambdaClient, name: string, event: unknown = {}, opts: InvokeOptions = {}): Promise<Invoked<T>> {
  const out = await lambda.send(new InvokeCommand({
    FunctionName: name, Qualifier: opts.qualifier, ClientContext: opts.clientContext,
    Payload: Buffer.from(opts.payload ?? JSON.stringify(event)),
  }));
  const text = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
  return {
    status: out.StatusCode, functionError: out.FunctionError, requestId: out.$metadata.requestId,
    body: (text ? JSON.parse(text) : undefined) as T,
  };
}

/** The body of an invoke that must succeed; a function error fails with the error's body. */
export async function invokeOk<T = unknown>(lambda: LambdaClient, name: string, event: unknown = {}, opts: InvokeOptions = {}): Promise<T> {
  const out = await invoke<T>(lambda, name, event, opts);
  if (out.functionError) throw new Error(`${name} failed (${out.functionError}): ${JSON.stringify(out.body)}`);
  return out.body;
}

/** The body of a failed invoke, as Lambda gives it. */
export interface FunctionErrorBody {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

/**
 * Poll `check` until it returns something other than undefined/false, or fail after `timeoutMs`.
 * `what` names the condition in the failure; as a function it is asked only then (to show state).
 * The tests' one waiting helper (test/security/hostile.ts and the sandbox suite use it too).
 */
export async function waitFor<T>(what: string | (() => string), check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The environment id in a log stream name (`YYYY/MM/DD/[$LATEST]<id>`); its folder is <dataDir>/run/<id>. */
export function envIdOf(logStream: string): string {
  return logStream.slice(-32);
}

/**
 * Pids of running processes (zombies aside) whose command line or working folder mentions `text`
 * (a data folder, an environment id): the runtime itself under the process sandbox, bwrap under
 * the namespace sandbox.
 */
export function processesMentioning(text: string, except: readonly (number | undefined)[] = []): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid || except.includes(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // another user's process, or one in another mount namespace
      }
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text) || cwd.includes(text)) found.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** An environment has ended: its folder is removed (after its process exited) and no process of it is left. */
export function environmentGone(dataDir: string, logStream: string): boolean {
  const id = envIdOf(logStream);
  return !existsSync(join(dataDir, 'run', id)) && processesMentioning(id).length === 0;
}

/** Wait until `count` invocations of op 'hold' (with this `dir`) are running. */
export function waitForHeld(dir: string, count: number): Promise<true> {
  return waitFor(`${count} held invocations`, () => readdirSync(dir).filter((f) => f.endsWith('.started')).length >= count);
}
