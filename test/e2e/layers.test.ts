// Layers through the real AWS SDK and CLI, with real functions in the default sandbox: a Node.js
// and a Python function importing a library from a layer at /opt, the order of layers (a later
// layer's file wins), a deleted layer version that keeps working for the function using it, the
// limits (5 layers, 250 MB unzipped with the code), and the layer operations themselves.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddLayerVersionPermissionCommand, DeleteLayerVersionCommand, GetFunctionCommand, GetLayerVersionByArnCommand, GetLayerVersionCommand,
  GetLayerVersionPolicyCommand, ListLayersCommand, ListLayerVersionsCommand, PublishLayerVersionCommand, RemoveLayerVersionPermissionCommand,
  UpdateFunctionConfigurationCommand, type LambdaClient,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../helpers/failure.js';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { zip, type Files } from '../helpers/zip.js';
import { NODE, PROCESS_SANDBOX, PYTHON, createFunction, invoke, waitFor } from '../helpers/functions.js';
import { awsCli, awsCliInstalled } from '../helpers/aws-cli.js';
import { runCli } from '../helpers/cli.js';
import { mkdirSync } from 'node:fs';
import { compileJava, which } from '../conformance/runtime-packages.js';

const FIXTURES = join(import.meta.dirname, '../conformance/fixtures');

let lk: Lambkin;
const temp: string[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-layers-'));
temp.push(dataDir);

beforeAll(async () => {
  lk = await startLambkin({ dataDir });
});
afterAll(async () => {
  await lk?.stop();
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

async function publish(name: string, files: Files, runtimes: string[] = []) {
  return lk.lambda.send(new PublishLayerVersionCommand({
    LayerName: name, Content: { ZipFile: zip(files) }, CompatibleRuntimes: runtimes, Description: `${name} layer`, LicenseInfo: 'MIT',
  }));
}

const nodeLib = (value: string): Files => ({ 'nodejs/node_modules/greeting/index.js': `exports.word = ${JSON.stringify(value)};\n` });

const NODE_USER = {
  'lambda_function.js': `
const fs = require('node:fs');
exports.lambda_handler = async () => {
  let writable = true;
  try { fs.writeFileSync('/opt/x', 'x'); } catch { writable = false; }
  return { word: require('greeting').word, path: process.env.PATH, nodePath: process.env.NODE_PATH, ld: process.env.LD_LIBRARY_PATH,
    tool: fs.existsSync('/opt/bin/tool'), writable };
};
`,
};

describe('layers in the environment', () => {
  it('a Node.js function imports a library from a layer at /opt (read-only; /opt/bin and /opt/lib on the paths)', async () => {
    const layer = await publish('node-greeting', { ...nodeLib('hello from a layer'), 'bin/tool': { content: '#!/bin/sh\necho tool\n', mode: 0o755 } }, ['nodejs20.x']);
    expect(layer.LayerVersionArn).toBe('arn:aws:lambda:us-east-1:000000000000:layer:node-greeting:1');
    await createFunction(lk.lambda, 'layer-node', NODE, NODE_USER, { Layers: [layer.LayerVersionArn!] });
    const out = await invoke<Record<string, unknown>>(lk.lambda, 'layer-node');
    expect(out.functionError).toBeUndefined();
    expect(out.body).toMatchObject({ word: 'hello from a layer', tool: true, writable: false });
    expect(String(out.body.path).split(':')).toContain('/opt/bin');
    expect(String(out.body.ld).split(':')).toContain('/opt/lib');
    expect(String(out.body.nodePath).split(':')).toEqual(['/opt/nodejs/node20/node_modules', '/opt/nodejs/node_modules']);
    const got = await lk.lambda.send(new GetFunctionCommand({ FunctionName: 'layer-node' }));
    expect(got.Configuration?.Layers).toEqual([{ Arn: layer.LayerVersionArn, CodeSize: layer.Content!.CodeSize }]);
  });

  it('a Python function imports from /opt/python and /opt/python/lib/python3.11/site-packages', async () => {
    const layer = await publish('py-libs', {
      'python/greeting.py': 'WORD = "hello from python"\n',
      'python/lib/python3.11/site-packages/sitelib/__init__.py': 'VALUE = 42\n',
    }, ['python3.11']);
    await createFunction(lk.lambda, 'layer-python', PYTHON, {
      'lambda_function.py': 'import greeting\nimport sitelib\n\ndef lambda_handler(event, context):\n    return {"word": greeting.WORD, "value": sitelib.VALUE}\n',
    }, { Layers: [layer.LayerVersionArn!] });
    const out = await invoke(lk.lambda, 'layer-python');
    expect(out.functionError).toBeUndefined();
    expect(out.body).toEqual({ word: 'hello from python', value: 42 });
  });

  it('layers merge in order: the later layer\'s file wins; changing the order changes the answer', async () => {
    const a = await publish('order-a', nodeLib('from A'));
    const b = await publish('order-b', nodeLib('from B'));
    await createFunction(lk.lambda, 'layer-order', NODE, NODE_USER, { Layers: [a.LayerVersionArn!, b.LayerVersionArn!] });
    expect((await invoke<{ word: string }>(lk.lambda, 'layer-order')).body.word).toBe('from B');
    const updated = await lk.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'layer-order', Layers: [b.LayerVersionArn!, a.LayerVersionArn!] }));
    expect(updated.Layers?.map((l) => l.Arn)).toEqual([b.LayerVersionArn, a.LayerVersionArn]);
    expect((await invoke<{ word: string }>(lk.lambda, 'layer-order')).body.word).toBe('from A');
  });

  it('a deleted layer version keeps working for the function that uses it, and no new function can name it', async () => {
    const layer = await publish('doomed', nodeLib('still here'));
    await createFunction(lk.lambda, 'layer-doomed', NODE, NODE_USER, { Layers: [layer.LayerVersionArn!] });
    await lk.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'doomed', VersionNumber: layer.Version }));
    expect((await failure(lk.lambda.send(new GetLayerVersionCommand({ LayerName: 'doomed', VersionNumber: layer.Version })))).name).toBe('ResourceNotFoundException');
    // After a restart (no environment, no merged /opt left) the layer is merged again from its kept code.
    await lk.stop();
    lk = await startLambkin({ dataDir });
    expect((await invoke<{ word: string }>(lk.lambda, 'layer-doomed')).body.word).toBe('still here');
    expect((await lk.lambda.send(new GetFunctionCommand({ FunctionName: 'layer-doomed' }))).Configuration?.Layers?.[0]?.Arn).toBe(layer.LayerVersionArn);
    const refused = await failure(createFunction(lk.lambda, 'layer-doomed-2', NODE, NODE_USER, { Layers: [layer.LayerVersionArn!] }));
    expect(refused.name).toBe('InvalidParameterValueException');
    expect(refused.message).toContain(layer.LayerVersionArn!);
    // The next version of the layer gets the next number: numbers are never reused.
    expect((await publish('doomed', nodeLib('new'))).Version).toBe(2);
  });

  it('refuses a sixth layer and code with layers over 250 MB unzipped', async () => {
    const arns = [];
    for (let i = 0; i < 6; i++) arns.push((await publish(`many-${i}`, { [`f${i}.txt`]: 'x' })).LayerVersionArn!);
    const six = await failure(createFunction(lk.lambda, 'layer-six', NODE, NODE_USER, { Layers: arns }));
    expect(six.name).toBe('InvalidParameterValueException');
    expect(six.message).toMatch(/at most 5 layers/);
    await createFunction(lk.lambda, 'layer-five', NODE, NODE_USER, { Layers: arns.slice(0, 5) });
    // Two layers of 126 MiB of zeros each (a few hundred KB zipped): each fits, together they do not.
    const big = new Uint8Array(126 * 1024 * 1024);
    const l1 = await publish('big-1', { 'data/one.bin': big });
    const l2 = await publish('big-2', { 'data/two.bin': big });
    const tooBig = await failure(lk.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'layer-five', Layers: [l1.LayerVersionArn!, l2.LayerVersionArn!] })));
    expect(tooBig.name).toBe('InvalidParameterValueException');
    expect(tooBig.message).toContain('262144000');
    const unchanged = await lk.lambda.send(new GetFunctionCommand({ FunctionName: 'layer-five' }));
    expect(unchanged.Configuration?.Layers).toHaveLength(5);
  }, 120_000);
});

const PRESTARTED_NODE = `exports.lambda_handler = async () => ({ word: require('greeting').word,
  prestarted: require('node:fs').readFileSync('/proc/self/environ', 'latin1').split('\\0').includes('_LAMBKIN_PRESTART=1') });\n`;
const PRESTARTED_PYTHON = `import greeting\n\ndef lambda_handler(event, context):
    return {"word": greeting.WORD, "prestarted": b"_LAMBKIN_PRESTART=1" in open("/proc/self/environ", "rb").read().split(b"\\0")}\n`;

/** Cold starts (each after a configuration change) until one comes from a pre-started sandbox. */
async function prestartedColdStart(name: string, lambda: LambdaClient = lk.lambda): Promise<{ word: string }> {
  let i = 0;
  return waitFor(`a cold start of ${name} from a pre-started sandbox`, async () => {
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: `cold ${i++}` }));
    const out = await invoke<{ word: string; prestarted: boolean }>(lambda, name);
    expect(out.functionError, JSON.stringify(out.body)).toBeUndefined();
    return out.body.prestarted && out.body;
  }, 60_000);
}

describe('pre-started sandboxes', () => {
  it('a runtime started ahead of its function finds the layers too (Node.js, Python)', async () => {
    const node = await publish('pre-node', nodeLib('pre-started node'));
    await createFunction(lk.lambda, 'layer-pre-node', NODE, { 'lambda_function.js': PRESTARTED_NODE }, { Layers: [node.LayerVersionArn!] });
    expect((await prestartedColdStart('layer-pre-node')).word).toBe('pre-started node');
    const py = await publish('pre-python', { 'python/greeting.py': 'WORD = "pre-started python"\n' });
    await createFunction(lk.lambda, 'layer-pre-python', PYTHON, { 'lambda_function.py': PRESTARTED_PYTHON }, { Layers: [py.LayerVersionArn!] });
    expect((await prestartedColdStart('layer-pre-python')).word).toBe('pre-started python');
  }, 120_000);

  it('a function whose layers have lib/ (LD_LIBRARY_PATH, read at process start) starts on its own', async () => {
    const layer = await publish('with-lib', { ...nodeLib('own start'), 'lib/libnothing.so': 'not really a library' });
    await createFunction(lk.lambda, 'layer-lib', NODE, { 'lambda_function.js': PRESTARTED_NODE }, { Layers: [layer.LayerVersionArn!] });
    // Between pre-started cold starts of another function (the pool serves the shape), never one.
    for (let i = 0; i < 3; i++) {
      await prestartedColdStart('layer-pre-node');
      await lk.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'layer-lib', Description: `cold ${i}` }));
      const out = await invoke<{ word: string; prestarted: boolean }>(lk.lambda, 'layer-lib');
      expect(out.body).toEqual({ word: 'own start', prestarted: false });
    }
  }, 120_000);
});

describe('other runtimes find layer code where Lambda\'s do', () => {
  it('Ruby requires from /opt/ruby/lib; a custom runtime runs a tool from /opt/bin', async () => {
    const layer = await publish('tools', {
      'ruby/lib/greeting.rb': "module Greeting\n  def self.word = 'hello from ruby'\nend\n",
      'bin/shout': { content: '#!/bin/sh\necho "$1" | tr a-z A-Z\n', mode: 0o755 },
    });
    await createFunction(lk.lambda, 'layer-ruby', { label: 'ruby', runtime: 'ruby3.2', file: 'lambda_function.rb' }, {
      'lambda_function.rb': "require 'greeting'\n\ndef lambda_handler(event:, context:)\n  { word: Greeting.word }\nend\n",
    }, { Layers: [layer.LayerVersionArn!] });
    expect((await invoke(lk.lambda, 'layer-ruby')).body).toEqual({ word: 'hello from ruby' });
    // A shell bootstrap: `shout` is found on PATH (/opt/bin), as on Lambda.
    const bootstrap = [
      '#!/bin/sh', 'set -e', 'API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"',
      'while true; do', '  H=$(mktemp); curl -sS -D "$H" "$API/next" -o /dev/null',
      '  ID=$(grep -i "^lambda-runtime-aws-request-id:" "$H" | cut -d" " -f2 | tr -d "\\r")',
      '  curl -sS -X POST "$API/$ID/response" -d "\\"$(shout quiet)\\"" -o /dev/null', 'done', '',
    ].join('\n');
    await createFunction(lk.lambda, 'layer-shell', { label: 'shell', runtime: 'provided.al2023', file: 'bootstrap' }, {
      bootstrap: { content: bootstrap, mode: 0o755 },
    }, { Layers: [layer.LayerVersionArn!] });
    const out = await invoke<string>(lk.lambda, 'layer-shell');
    expect(out.functionError).toBeUndefined();
    expect(out.body).toBe('QUIET');
  });

  it.skipIf(!which('javac'))('Java loads a jar from /opt/java/lib', async () => {
    const lib = compileJava(join(FIXTURES, 'java/forms-lib'));
    const layer = await publish('java-shout', { 'java/lib/shout.jar': zip(lib) });
    const classes = compileJava(join(FIXTURES, 'java/forms'), [join(FIXTURES, 'java/forms-lib')]);
    await createFunction(lk.lambda, 'layer-java', { label: 'java', runtime: 'java17', file: 'x' }, classes, {
      Handler: 'example.UsesLib::handleRequest', Layers: [layer.LayerVersionArn!], MemorySize: 512, Timeout: 30,
    });
    const out = await invoke(lk.lambda, 'layer-java', { text: 'quiet' });
    expect(out.functionError, JSON.stringify(out.body)).toBeUndefined();
    expect(out.body).toEqual({ shouted: 'QUIET!' });
  }, 120_000);
});

describe('layers under the process backend', () => {
  it('the runtime finds the merged layers at their host folder', async () => {
    const other = await startLambkin({ args: PROCESS_SANDBOX });
    try {
      const layer = await other.lambda.send(new PublishLayerVersionCommand({ LayerName: 'p', Content: { ZipFile: zip(nodeLib('process backend')) } }));
      await createFunction(other.lambda, 'layer-process', NODE, {
        'lambda_function.js': 'exports.lambda_handler = async () => ({ word: require("greeting").word, nodePath: process.env.NODE_PATH });\n',
      }, { Layers: [layer.LayerVersionArn!] });
      const out = await invoke<{ word: string; nodePath: string }>(other.lambda, 'layer-process');
      expect(out.body.word).toBe('process backend');
      expect(out.body.nodePath).toContain(other.dataDir);
      // From a pre-started sandbox too (its opt folder linked to the merged copy).
      await createFunction(other.lambda, 'layer-process-pre', NODE, { 'lambda_function.js': PRESTARTED_NODE }, { Layers: [layer.LayerVersionArn!] });
      expect((await prestartedColdStart('layer-process-pre', other.lambda)).word).toBe('process backend');
    } finally {
      await other.stop();
    }
  });
});

describe('the lambkin CLI', () => {
  it('`layer publish` a folder, `layer ls`, and `deploy --layer` a function that uses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambkin-layer-cli-'));
    temp.push(dir);
    mkdirSync(join(dir, 'layer/python'), { recursive: true });
    writeFileSync(join(dir, 'layer/python/shout.py'), 'def shout(s):\n    return s.upper() + "!"\n');
    mkdirSync(join(dir, 'fn'));
    writeFileSync(join(dir, 'fn/lambda_function.py'), 'from shout import shout\n\ndef lambda_handler(event, context):\n    return shout("hi")\n');
    const published = await runCli(lk.url, 'layer', 'publish', join(dir, 'layer'), '--name', 'cli-shout', '--runtime', 'python3.11');
    expect(published.code, published.stderr).toBe(0);
    const arn = /(arn:aws:lambda:\S+:layer:cli-shout:\d+)/.exec(published.stdout)?.[1];
    expect(arn).toBeDefined();
    const listed = await runCli(lk.url, 'layer', 'ls');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(arn!);
    expect(listed.stdout).toContain('python3.11');
    const deployed = await runCli(lk.url, 'deploy', join(dir, 'fn'), '--name', 'cli-layered', '--layer', arn!);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect((await invoke<string>(lk.lambda, 'cli-layered')).body).toBe('HI!');
    const versions = await runCli(lk.url, 'layer', 'ls', 'cli-shout');
    expect(versions.stdout).toContain(arn!);
    const removed = await runCli(lk.url, 'deploy', join(dir, 'fn'), '--name', 'cli-layered', '--layer', '');
    expect(removed.code, removed.stderr).toBe(0);
    expect((await lk.lambda.send(new GetFunctionCommand({ FunctionName: 'cli-layered' }))).Configuration?.Layers).toBeUndefined();
  });
});

describe('layer operations', () => {
  it('get, get by ARN, list layers and versions (filtered), permissions and policy', async () => {
    const v1 = await publish('ops', { 'a.txt': 'a' }, ['nodejs20.x']);
    const v2 = await publish('ops', { 'b.txt': 'b' }, ['python3.11']);
    const got = await lk.lambda.send(new GetLayerVersionCommand({ LayerName: 'ops', VersionNumber: 1 }));
    expect(got).toMatchObject({ LayerArn: 'arn:aws:lambda:us-east-1:000000000000:layer:ops', Version: 1, Description: 'ops layer', LicenseInfo: 'MIT', CompatibleRuntimes: ['nodejs20.x'] });
    expect(got.Content?.CodeSha256).toBe(v1.Content?.CodeSha256);
    const download = await fetch(got.Content!.Location!);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(zip({ 'a.txt': 'a' })))).toBe(true);
    expect((await lk.lambda.send(new GetLayerVersionByArnCommand({ Arn: v2.LayerVersionArn }))).Version).toBe(2);
    const versions = await lk.lambda.send(new ListLayerVersionsCommand({ LayerName: 'ops' }));
    expect(versions.LayerVersions?.map((v) => v.Version)).toEqual([2, 1]);
    const forNode = await lk.lambda.send(new ListLayerVersionsCommand({ LayerName: 'ops', CompatibleRuntime: 'nodejs20.x' }));
    expect(forNode.LayerVersions?.map((v) => v.Version)).toEqual([1]);
    const layers = await lk.lambda.send(new ListLayersCommand({}));
    expect(layers.Layers?.find((l) => l.LayerName === 'ops')?.LatestMatchingVersion?.Version).toBe(2);
    const paged = await lk.lambda.send(new ListLayersCommand({ MaxItems: 1 }));
    expect(paged.Layers).toHaveLength(1);
    expect(paged.NextMarker).toBeDefined();

    expect((await failure(lk.lambda.send(new GetLayerVersionPolicyCommand({ LayerName: 'ops', VersionNumber: 1 })))).name).toBe('ResourceNotFoundException');
    const added = await lk.lambda.send(new AddLayerVersionPermissionCommand({
      LayerName: 'ops', VersionNumber: 1, StatementId: 'everyone', Action: 'lambda:GetLayerVersion', Principal: '*',
    }));
    expect(JSON.parse(added.Statement!)).toMatchObject({ Sid: 'everyone', Effect: 'Allow', Principal: '*', Resource: v1.LayerVersionArn });
    const policy = await lk.lambda.send(new GetLayerVersionPolicyCommand({ LayerName: 'ops', VersionNumber: 1 }));
    expect(policy.RevisionId).toBe(added.RevisionId);
    expect(JSON.parse(policy.Policy!).Statement).toHaveLength(1);
    expect((await failure(lk.lambda.send(new AddLayerVersionPermissionCommand({
      LayerName: 'ops', VersionNumber: 1, StatementId: 'everyone', Action: 'lambda:GetLayerVersion', Principal: '123456789012',
    })))).name).toBe('ResourceConflictException');
    await lk.lambda.send(new RemoveLayerVersionPermissionCommand({ LayerName: 'ops', VersionNumber: 1, StatementId: 'everyone' }));
    expect((await failure(lk.lambda.send(new GetLayerVersionPolicyCommand({ LayerName: 'ops', VersionNumber: 1 })))).name).toBe('ResourceNotFoundException');
  });

  it('`aws lambda publish-layer-version` and `list-layers` work', async (ctx) => {
    if (!(await awsCliInstalled())) ctx.skip();
    const dir = mkdtempSync(join(tmpdir(), 'lambkin-layer-cli-'));
    temp.push(dir);
    writeFileSync(join(dir, 'layer.zip'), zip({ 'nodejs/node_modules/cli-lib/index.js': 'exports.x = 1;\n' }));
    const published = await awsCli(lk.url, 'lambda', 'publish-layer-version', '--layer-name', 'from-cli',
      '--zip-file', `fileb://${join(dir, 'layer.zip')}`, '--compatible-runtimes', 'nodejs20.x');
    expect(published.code, published.stderr).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({ Version: 1, LayerVersionArn: 'arn:aws:lambda:us-east-1:000000000000:layer:from-cli:1' });
    const listed = await awsCli(lk.url, 'lambda', 'list-layers');
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { Layers: { LayerName: string }[] }).Layers.map((l) => l.LayerName)).toContain('from-cli');
  });
});
