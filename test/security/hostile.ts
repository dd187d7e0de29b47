// Helpers for the hostile-handler tests: deploy a one-file function through the real SDK, invoke
// it with the log tail (REPORT lines), and the "platform still works" check each test ends with.
import { CreateFunctionCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect } from 'vitest';
import { zip } from '../helpers/zip.js';
import { startLambkin, type Lambkin } from '../helpers/server.js';

export const ROLE = 'arn:aws:iam::123456789012:role/lambkin-security';

export interface DeployOptions {
  readonly runtime?: 'nodejs20.x' | 'python3.11';
  readonly timeout?: number;
  readonly memory?: number;
  readonly env?: Record<string, string>;
  readonly extra?: Record<string, string>;
}

/** A function whose lambda_function.{js,py} is `code`. */
export async function deploy(lambda: LambdaClient, name: string, code: string, o: DeployOptions = {}): Promise<void> {
  const runtime = o.runtime ?? 'nodejs20.x';
  const file = runtime.startsWith('python') ? 'lambda_function.py' : 'lambda_function.js';
  await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: runtime, Role: ROLE, Handler: 'lambda_function.lambda_handler',
    Code: { ZipFile: zip({ [file]: code, ...o.extra }) }, Timeout: o.timeout ?? 10, MemorySize: o.memory ?? 128,
    Environment: o.env ? { Variables: o.env } : undefined,
  }));
}

/** A server for the whole file with the echoing `bystander` deployed (what stillServes() calls); stopped after. */
export function withBystanderServer(set: (server: Lambkin) => void): void {
  let server: Lambkin | undefined;
  beforeAll(async () => {
    server = await startLambkin();
    set(server);
    await deploy(server.lambda, 'bystander', ECHO_NODE);
  });
  afterAll(async () => {
    await server?.stop();
  });
}

export interface Called {
  readonly functionError?: string;
  readonly text: string;
  /** Parsed body (undefined when not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: each attack checks the fields of its own answer
  readonly body: any;
  /** The invocation's log tail (X-Amz-Log-Result), START…REPORT. */
  readonly log: string;
  readonly requestId?: string;
}

export async function call(lambda: LambdaClient, name: string, event: unknown = {}): Promise<Called> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)), LogType: 'Tail' }));
  const text = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return {
    functionError: out.FunctionError, text, body, log: Buffer.from(out.LogResult ?? '', 'base64').toString('utf8'),
    requestId: out.$metadata.requestId,
  };
}

export const ECHO_NODE = 'exports.lambda_handler = async (event) => ({ ok: true, event });\n';

/**
 * Handler code (Node.js) that defines `talk(host, port)`: a TCP connection's outcome as a string —
 * 'got:<what the server sent>', 'timeout' (3 s) or 'error:<code>'.
 */
export const TALK_NODE = `
const net = require('node:net');
const talk = (host, port) => new Promise((resolve) => {
  const s = net.connect({ host, port });
  let got = '';
  s.setTimeout(3000, () => { s.destroy(); resolve('timeout'); });
  s.on('data', (d) => (got += d));
  s.once('end', () => resolve('got:' + got));
  s.once('error', (e) => resolve('error:' + e.code));
});`;

/** The platform still serves: a plain function answers, in a fresh or warm environment. */
export async function stillServes(lambda: LambdaClient, name = 'bystander'): Promise<void> {
  const r = await call(lambda, name, { ping: 1 });
  expect(r.functionError).toBeUndefined();
  expect(r.body).toEqual({ ok: true, event: { ping: 1 } });
}

/** "Max Memory Used: N MB" of a REPORT line. */
export function maxMemoryUsed(log: string): number {
  const m = /Max Memory Used: (\d+) MB/.exec(log);
  if (!m) throw new Error(`no REPORT line with Max Memory Used in:\n${log}`);
  return Number(m[1]);
}

export { waitFor } from '../helpers/functions.js';
