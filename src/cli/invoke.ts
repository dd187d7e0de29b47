// `lambkin invoke <name>`: send an event, print the result; a function error goes to stderr, exit 1.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { InvokeResult } from '../client/index.js';
import { clientFor } from './context.js';
import { EXIT_FUNCTION_ERROR } from './fail.js';
import { note, out, paint, UsageError } from './output.js';
import { startDebugSession, waitForEnter } from './debug-session.js';

interface InvokeOptions {
  payload: string;
  qualifier?: string;
  log?: boolean;
  async?: boolean;
  debug?: boolean;
}

export function registerInvoke(program: Command): void {
  program
    .command('invoke')
    .description('invoke a function and print its result')
    .argument('<name>', 'function name')
    .option('-p, --payload <json|@file>', 'the event: JSON, or @file, or @- for stdin', '{}')
    .option('-q, --qualifier <version|alias>', 'version or alias to invoke')
    .option('--log', 'print the log of this invocation (its last 4 KB) to stderr')
    .option('--async', 'queue the event (an Event invocation) and print its request id instead of waiting')
    .option('--debug', "run this invocation in a new environment with the runtime's debugger on 127.0.0.1 (Node.js inspector 9229, Python debugpy 5678, Java JDWP 5005; another port if taken); invokes once you press Enter")
    .action(async (name: string, opts: InvokeOptions, cmd: Command) => {
      const payload = readPayload(opts.payload);
      if (opts.debug) {
        if (opts.async) throw new UsageError('--debug waits for the invocation: it cannot be combined with --async');
        await startDebugSession(clientFor(cmd), name, opts.qualifier);
        // The payload read from stdin leaves nothing to press Enter on: invoke at once.
        if (opts.payload !== '@-') await waitForEnter();
      }
      if (opts.async) {
        if (opts.log) throw new UsageError('--log needs the invocation to finish: it cannot be combined with --async');
        const queued = await clientFor(cmd).invoke(name, payload, { qualifier: opts.qualifier, invocationType: 'Event' });
        out(`queued: request id ${queued.requestId ?? '(unknown)'}`);
        return;
      }
      const result = await clientFor(cmd).invoke(name, payload, {
        qualifier: opts.qualifier,
        logType: opts.log ? 'Tail' : undefined,
      });
      // The tail ends with a newline: dim it without, so that the reset code does not end up
      // after it and note() add a second one.
      if (opts.log && result.log) note(paint(process.stderr).dim(result.log.replace(/\n+$/, '')));
      if (result.functionError) {
        printFunctionError(result);
        process.exitCode = EXIT_FUNCTION_ERROR;
        return;
      }
      printResult(result.payload);
    });
}

function readPayload(spec: string): Buffer {
  let bytes: Buffer;
  if (spec.startsWith('@')) {
    const file = spec.slice(1);
    try {
      bytes = readFileSync(file === '-' ? 0 : file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new UsageError(`cannot read the payload from ${file === '-' ? 'stdin' : file} (${code})`);
    }
  } else {
    bytes = Buffer.from(spec, 'utf8');
  }
  try {
    JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new UsageError(
      `the payload is not valid JSON (${why}). In a shell, single-quote it: --payload '{"name": "Ada"}'`,
    );
  }
  return bytes;
}

function printResult(payload: Buffer): void {
  if (payload.length === 0) return;
  const text = payload.toString('utf8');
  try {
    out(JSON.stringify(JSON.parse(text), null, 2));
  } catch {
    process.stdout.write(payload); // not JSON: the bytes as they came
    if (process.stdout.isTTY && !text.endsWith('\n')) process.stdout.write('\n');
  }
}

interface ErrorBody {
  errorType?: unknown;
  errorMessage?: unknown;
  stackTrace?: unknown;
}

function printFunctionError(result: InvokeResult): void {
  const p = paint(process.stderr);
  let body: ErrorBody | undefined;
  try {
    body = JSON.parse(result.payload.toString('utf8')) as ErrorBody;
  } catch {
    body = undefined;
  }
  if (!body || typeof body !== 'object' || (body.errorType === undefined && body.errorMessage === undefined)) {
    note(`${p.red(p.bold(`function error (${result.functionError})`))}: ${result.payload.toString('utf8')}`);
    return;
  }
  const type = typeof body.errorType === 'string' ? body.errorType : 'Error';
  const message = typeof body.errorMessage === 'string' ? body.errorMessage : JSON.stringify(body.errorMessage);
  note(`${p.red(p.bold(type))}: ${message ?? ''}`);
  if (!Array.isArray(body.stackTrace)) return;
  // Node's first frame repeats "Type: message"; Python's frames are two lines each, indented.
  const lines = body.stackTrace
    .flatMap((frame) => String(frame).replace(/\n+$/, '').split('\n'))
    .filter((line, i) => !(i === 0 && line.trim() === `${type}: ${message}`))
    .map((line) => (/^\s/.test(line) ? line : `  ${line}`));
  if (lines.length > 0) note(p.dim(lines.join('\n')));
}
