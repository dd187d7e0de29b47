// lambkin as a package: `npm pack` of this tree, installed with `npm install --omit=dev` into an
// empty folder as a user would, then `lambkin serve --deploy-examples` from there, an example
// invoked with the installed CLI and one with the AWS SDK. Dependencies come from the registry as
// for a user, except one thing: better-sqlite3's native binary. On a user's machine
// prebuild-install downloads it from GitHub; this network cannot reach GitHub, and compiling it
// instead takes over a minute of CPU. So the test hands prebuild-install the binary this tree
// already has, as a local prebuild (its `local-prebuilds` setting, read from a .prebuild-installrc
// in the install folder): the same file a download would unpack, and prebuild-install loads it to
// check it, as after one.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ROOT, sdkClients } from '../helpers/server.js';
import { waitFor } from '../helpers/functions.js';

const run = promisify(execFile);
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Packed {
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

/** better-sqlite3's binary from this tree as the tarball prebuild-install would download. */
async function localPrebuild(dir: string): Promise<void> {
  const pkg = join(ROOT, 'node_modules/better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  mkdirSync(dir, { recursive: true });
  await run('tar', ['czf', join(dir, name), '-C', pkg, 'build/Release/better_sqlite3.node']);
}

describe('the npm package', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lambkin-package-'));
  const app = join(tmp, 'app');
  const installed = join(app, 'node_modules/lambkin');
  const lambkin = join(app, 'node_modules/.bin/lambkin');
  let packed: Packed;
  let server: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    // With its scripts, as a user runs it: prepack checks the tree (and builds what is stale).
    const pack = await run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT, maxBuffer: 16 << 20 });
    packed = (JSON.parse(pack.stdout) as Packed[])[0]!;
    await localPrebuild(join(tmp, 'prebuilds'));
    mkdirSync(app);
    writeFileSync(join(app, '.prebuild-installrc'), JSON.stringify({ 'local-prebuilds': join(tmp, 'prebuilds') }));
    await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--prefix', app, join(tmp, packed.filename)], {
      cwd: app, maxBuffer: 16 << 20,
    });
  }, 600_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it('holds the built server, CLI, console, bootstraps, the Java runtime\'s jar and examples — no sources, tests or maps', () => {
    const paths = packed.files.map((f) => f.path);
    for (const built of ['bin/lambkin.js', 'dist/api/server.js', 'dist/cli/lambkin.cjs', 'dist/console/index.html',
      'runtimes/nodejs/bootstrap.js', 'runtimes/python/bootstrap.py', 'runtimes/ruby/bootstrap.rb',
      'examples/hello-node/lambda_function.mjs', 'npm-shrinkwrap.json']) {
      expect(paths, built).toContain(built);
    }
    expect(paths.some((p) => /^runtimes\/java\/build\/lambkin-runtime-[0-9a-f]+\.jar$/.test(p))).toBe(true);
    expect(paths.filter((p) => /^(src|test|bench|scripts|console|docs)\/|\.map$|^dist\/\.build\/|\.ts$/.test(p))).toEqual([]);
  });

  it('installs with --omit=dev: no compiler, bundler or test tool comes along, the Java jar is the one the server looks for', async () => {
    for (const dev of ['typescript', 'vite', 'vitest', 'esbuild', '@aws-sdk/client-lambda', 'playwright-core']) {
      expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    }
    expect(existsSync(join(app, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
    // Not compiled here (that would take a minute): the prebuilt binary was taken.
    expect(existsSync(join(app, 'node_modules/better-sqlite3/build/Release/obj.target'))).toBe(false);
    const { jarName } = await import(pathToFileURL(join(installed, 'dist/runtimes/java-build.js')).href) as { jarName(dir: string): string };
    expect(existsSync(join(installed, 'runtimes/java', jarName(join(installed, 'runtimes/java'))))).toBe(true);
  });

  it('lambkin --version prints the package\'s version; lambkin doctor runs from the package', async () => {
    const { stdout } = await run(lambkin, ['--version'], { cwd: app });
    expect(stdout.trim()).toBe(VERSION);
    // Exit 1 only says something is missing on this machine: the table is what matters here.
    const doctor = await run(lambkin, ['doctor', '--json'], { cwd: app }).catch((err: { code: number; stdout: string }) => {
      if (err.code !== 1) throw err;
      return err;
    });
    const names = (JSON.parse(doctor.stdout) as { name: string }[]).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['bubblewrap', 'socat', 'slirp4netns', 'cgroups', 'Node.js', 'Java']));
  });

  it('lambkin serve --deploy-examples from the installed package serves the examples and the console', async () => {
    server = spawn(lambkin, ['serve', '--port', '0', '--data-dir', join(tmp, 'data'), '--deploy-examples'], {
      cwd: app, stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    server.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const url = await waitFor('the installed server to be ready', () => {
      if (server!.exitCode !== null) throw new Error(`lambkin serve exited (${server!.exitCode}):\n${output}`);
      return /ready in [\d.]+ s/.test(output) && /listening on (http:\/\/\S+)/.exec(output)?.[1];
    }, 120_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${output}`);
    });
    expect(output).toContain('deployed hello-node');

    const { stdout } = await run(lambkin, ['--endpoint', url, 'invoke', 'hello-node', '--payload', '{"name": "Ada"}'], { cwd: app });
    expect(JSON.parse(stdout)).toMatchObject({ message: 'Hello, Ada!' });
    // And with the AWS SDK, an example that needs the package's example layer (its node_modules).
    const { lambda } = sdkClients(url);
    try {
      const answer = await lambda.send(new InvokeCommand({ FunctionName: 'hello-layer', Payload: Buffer.from('{"name":"Ada"}') }));
      expect(answer.FunctionError).toBeUndefined();
      expect(JSON.parse(Buffer.from(answer.Payload!).toString())).toEqual({ message: 'Hello, Ada, from the greeting layer!' });
    } finally {
      lambda.destroy();
    }
    const page = await fetch(`${url}/console/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<!doctype html>');
  }, 180_000);
});
