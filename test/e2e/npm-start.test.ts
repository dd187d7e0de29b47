// `npm start` on a tree that is already built: it starts serving without rebuilding anything
// (scripts/build.js finds every step up to date) and the server says how long it took to be ready,
// counted from npm start's own process (scripts/start.js runs serve in that process).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ROOT, sdkClients } from '../helpers/server.js';
import { waitFor } from '../helpers/functions.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-npm-start-'));

beforeAll(async () => {
  // The precondition: a built tree (npm test's pretest built it; a no-op then).
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/build.js')], { cwd: ROOT });
}, 300_000);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start', () => {
  it('on a built tree rebuilds nothing, deploys the examples and prints how long it took to be ready', async () => {
    const proc = spawn('npm', ['start', '--', '--port', '0', '--data-dir', dataDir], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    let output = '';
    proc.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise((r) => proc.once('exit', r));
    try {
      await waitFor('npm start to be ready', () => {
        if (proc.exitCode !== null) throw new Error(`npm start exited (${proc.exitCode}):\n${output}`);
        return /ready in \d+\.\d\d s — try:/.test(output);
      }, 120_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${output}`);
      });
      expect(output).toContain('deployed hello-node');
      // The example layer is published and the example using it answers from it.
      expect(output).toContain('deployed hello-layer');
      const url = /listening on (http:\/\/\S+)/.exec(output)![1]!;
      const { lambda } = sdkClients(url);
      const answer = await lambda.send(new InvokeCommand({ FunctionName: 'hello-layer', Payload: Buffer.from('{"name":"Ada"}') }));
      expect(JSON.parse(Buffer.from(answer.Payload!).toString())).toEqual({ message: 'Hello, Ada, from the greeting layer!' });
      // The extension example: its layer's extension runs beside the function.
      expect(output).toContain('deployed hello-extension');
      const counted = await lambda.send(new InvokeCommand({ FunctionName: 'hello-extension', Payload: Buffer.from('{"name":"Ada"}') }));
      expect(counted.FunctionError).toBeUndefined();
      expect(JSON.parse(Buffer.from(counted.Payload!).toString())).toEqual({ message: 'hello Ada, an extension is counting' });
      lambda.destroy();
      expect(output).not.toContain('lambkin build:');
    } finally {
      // npm runs start.js in a shell of its own: stop the whole group, as Ctrl-C does.
      if (proc.exitCode === null) process.kill(-proc.pid!, 'SIGINT');
      await exited;
    }
  }, 180_000);
});
