// Hostile handlers that go after files under the namespace sandbox: another function's code, another
// environment's /tmp, the data dir, the server's environment variables (/proc/<pid>/environ), the
// host's home, and writing anywhere but /tmp. Every attempt fails; the platform keeps serving.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { call, deploy, ECHO_NODE, stillServes } from './hostile.js';

const SERVER_SECRET = `server-secret-${randomUUID()}`;

// Tries each path: reads a file (or lists a folder); reports what it got, never throws.
const SNOOP = `
const fs = require('node:fs');
exports.lambda_handler = async (event) => {
  const read = {};
  for (const p of event.read ?? []) {
    try {
      const st = fs.statSync(p);
      read[p] = st.isDirectory() ? { ok: true, entries: fs.readdirSync(p) } : { ok: true, text: fs.readFileSync(p, 'latin1').slice(0, 2000) };
    } catch (e) { read[p] = { ok: false, code: e.code }; }
  }
  const wrote = {};
  for (const p of event.write ?? []) {
    try { fs.writeFileSync(p, 'pwned'); wrote[p] = { ok: true }; } catch (e) { wrote[p] = { ok: false, code: e.code }; }
  }
  return { read, wrote };
};`;

const VICTIM = `
const fs = require('node:fs');
exports.lambda_handler = async (event) => { fs.writeFileSync('/tmp/' + event.name, event.secret); return { ok: true }; };`;

let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin({ env: { LAMBKIN_TEST_SECRET: SERVER_SECRET } });
  await deploy(lk.lambda, 'bystander', ECHO_NODE);
  await deploy(lk.lambda, 'victim', VICTIM + `\n// victim-code-${randomUUID()}\n`);
  await deploy(lk.lambda, 'snoop', SNOOP);
});
afterAll(async () => {
  await lk?.stop();
});

/** Nothing read that holds data: failed, or (a masked secret) empty. */
function leaked(result: Record<string, { ok: boolean; text?: string; entries?: string[] }>): string[] {
  return Object.entries(result).filter(([, r]) => r.ok && ((r.text ?? '').length > 0 || (r.entries ?? []).length > 0)).map(([p]) => p);
}

describe('hostile handlers: the file system (namespace sandbox)', () => {
  it('cannot read another function\'s code, the data dir, or the server\'s environment', async () => {
    const codeRoot = join(lk.dataDir, 'code');
    const codeDirs = readdirSync(codeRoot).map((n) => join(codeRoot, n));
    const paths = [
      lk.dataDir, join(lk.dataDir, 'registry.db'), codeRoot, ...codeDirs, ...codeDirs.map((d) => join(d, 'lambda_function.js')),
      join(lk.dataDir, 'run'), `/proc/${lk.proc.pid}/environ`, `/proc/${lk.proc.pid}/cmdline`, '/proc/1/environ',
      '/root', '/root/.bash_history', '/work', '/home', '/etc/shadow', '/etc/ssl/private',
    ];
    const r = await call(lk.lambda, 'snoop', { read: paths });
    expect(r.functionError).toBeUndefined();
    expect(leaked(r.body.read)).toEqual([]);
    expect(r.text).not.toContain(SERVER_SECRET);
    // …while its own code is right there.
    const own = await call(lk.lambda, 'snoop', { read: ['/var/task/lambda_function.js'] });
    expect(own.body.read['/var/task/lambda_function.js'].text).toContain('exports.lambda_handler');
    await stillServes(lk.lambda);
  });

  it('cannot see another environment\'s /tmp', async () => {
    const name = `secret-${randomUUID()}`;
    expect((await call(lk.lambda, 'victim', { name, secret: 'the victim wrote this' })).body).toEqual({ ok: true });
    const runRoot = join(lk.dataDir, 'run');
    const hostTmpGuesses = readdirSync(runRoot).map((env) => join(runRoot, env, 'tmp', name));
    const r = await call(lk.lambda, 'snoop', { read: [`/tmp/${name}`, '/tmp', '/proc/2/root/tmp', ...hostTmpGuesses] });
    expect(leaked(r.body.read)).toEqual([]);
    expect(r.text).not.toContain('the victim wrote this');
  });

  it('cannot write anywhere but /tmp', async () => {
    const outside = ['/var/task/lambda_function.js', '/var/task/new.js', '/var/runtime/nodejs/bootstrap.js', '/etc/passwd', '/usr/bin/evil', '/evil', '/proc/sys/kernel/hostname'];
    const r = await call(lk.lambda, 'snoop', { write: [...outside, '/tmp/fine.txt'] });
    for (const p of outside) expect([p, r.body.wrote[p]]).toEqual([p, { ok: false, code: expect.stringMatching(/^(EROFS|EACCES|EPERM|ENOENT)$/) }]);
    expect(r.body.wrote['/tmp/fine.txt']).toEqual({ ok: true });
    // The code it tried to overwrite is intact for the next invocation.
    const again = await call(lk.lambda, 'snoop', { read: ['/var/task/lambda_function.js'] });
    expect(again.body.read['/var/task/lambda_function.js'].text).toContain('exports.lambda_handler');
    await stillServes(lk.lambda);
  });
});
