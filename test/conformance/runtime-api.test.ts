// The Runtime API's own rules, where Lambda's documentation is silent and RIE decides (docs/lambda-contracts.md
// §1): a custom runtime (fixtures/api-probe) calls the edges and reports what the API answered.
// Also: a custom runtime whose bootstrap cannot be started fails the invoke with
// Runtime.InvalidEntrypoint, naming the file, instead of hanging.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { ROLE, invoke as invokeFunction } from '../helpers/functions.js';
import { zip, type Files } from '../helpers/zip.js';
import { FIXTURES } from './runtime-packages.js';

let lk: Lambkin;
const PROBE: Files = {
  bootstrap: { content: readFileSync(join(FIXTURES, 'api-probe/bootstrap')), mode: 0o755 },
  'probe.mjs': readFileSync(join(FIXTURES, 'api-probe/probe.mjs')),
};

async function create(name: string, files: Files, variables: Record<string, string> = {}): Promise<void> {
  await lk.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'provided.al2023', Role: ROLE, Handler: 'probe.handler', Code: { ZipFile: zip(files) },
    Timeout: 10, MemorySize: 256, Environment: { Variables: variables },
  }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
// biome-ignore lint/suspicious/noExplicitAny: each case reads the fields of its own answer
const invoke = (name: string, event: unknown) => invokeFunction<any>(lk.lambda, name, event);

beforeAll(async () => {
  lk = await startLambkin();
  await create('api-probe', PROBE);
});
afterAll(async () => {
  await lk?.stop();
});

describe('Runtime API rules (as RIE)', () => {
  it('refuses a response for a request id that is not the active one with 403', async () => {
    const { body, functionError } = await invoke('api-probe', { op: 'wrong-id' });
    expect(functionError).toBeUndefined();
    expect(body.foreign.status).toBe(403);
    expect(JSON.parse(body.foreign.body).errorType).toBe('InvalidRequestID');
  });

  it('refuses a second answer to the same invocation with 403, and the first one stands', async () => {
    expect((await invoke('api-probe', { op: 'twice' })).body).toBe('first');
    const { body } = await invoke('api-probe', { op: 'last' });
    expect(body.second.status).toBe(403);
    expect(body.secondError.status).toBe(403);
  });

  it('answers 413 to a response over 6291556 bytes, and the invoke fails with Function.ResponseSizeTooLarge', async () => {
    const res = await invoke('api-probe', { op: 'too-large' });
    expect(res.functionError).toBe('Unhandled');
    expect(res.body.errorType).toBe('Function.ResponseSizeTooLarge');
    expect(res.body.errorMessage).toContain('6291557 bytes');
    expect(res.body.errorMessage).toContain('6291556 bytes');
    const { body } = await invoke('api-probe', { op: 'last' });
    expect(body.tooLarge.status).toBe(413);
  });

  it('accepts `trace` (AWS\'s Node client) and `stackTrace` in an error body, and returns stackTrace', async () => {
    const trace = await invoke('api-probe', { op: 'trace' });
    expect(trace.functionError).toBe('Unhandled');
    expect(trace.body).toEqual({ errorMessage: 'with trace', errorType: 'Probe.Trace', stackTrace: ['at one (a.js:1)', 'at two (b.js:2)'] });
    const stack = await invoke('api-probe', { op: 'stackTrace' });
    expect(stack.body).toEqual({ errorMessage: 'with stackTrace', errorType: 'Probe.Stack', stackTrace: ['one', 'two'] });
  });

  it('takes the error type from Lambda-Runtime-Function-Error-Type when the body is empty', async () => {
    const res = await invoke('api-probe', { op: 'header-only' });
    expect(res.functionError).toBe('Unhandled');
    expect(res.body.errorType).toBe('Probe.HeaderOnly');
  });

  it('fails the waiting invoke with the error posted to /init/error, even if the runtime stays alive', async () => {
    await create('api-probe-init', PROBE, { PROBE_MODE: 'init-error' });
    const res = await invoke('api-probe-init', { op: 'echo' });
    expect(res.functionError).toBe('Unhandled');
    expect(res.body.errorType).toBe('Probe.InitFailed');
    expect(res.body.errorMessage).toBe('the database is unreachable');
  });
});

describe('custom runtime entrypoint', () => {
  const ECHO = '#!/bin/sh\nexit 0\n';

  it('a package without a bootstrap fails the invoke with Runtime.InvalidEntrypoint', async () => {
    await create('no-bootstrap', { 'handler.sh': ECHO });
    const res = await invoke('no-bootstrap', {});
    expect(res.functionError).toBe('Unhandled');
    expect(res.body.errorType).toBe('Runtime.InvalidEntrypoint');
    expect(res.body.errorMessage).toMatch(/no file named bootstrap/);
  });

  it('a bootstrap that is not executable fails with Runtime.InvalidEntrypoint saying so', async () => {
    await create('bootstrap-not-executable', { bootstrap: { content: ECHO, mode: 0o644 } });
    const res = await invoke('bootstrap-not-executable', {});
    expect(res.body.errorType).toBe('Runtime.InvalidEntrypoint');
    expect(res.body.errorMessage).toMatch(/bootstrap is not executable .*chmod 755 bootstrap/);
  });

  it('a bootstrap whose #! interpreter does not exist fails with Runtime.InvalidEntrypoint naming it', async () => {
    await create('bootstrap-bad-interpreter', { bootstrap: { content: '#!/usr/bin/lambkin-no-such-shell\n', mode: 0o755 } });
    const res = await invoke('bootstrap-bad-interpreter', {});
    expect(res.body.errorType).toBe('Runtime.InvalidEntrypoint');
    expect(res.body.errorMessage).toContain('/usr/bin/lambkin-no-such-shell');
  });
});
