// The hello functions the benchmarks deploy, one per runtime, and a way to deploy them.
import { zipSync } from 'fflate';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { goHello, has, javaHello, shellHello } from './hello-builds.js';

const enc = (s) => new TextEncoder().encode(s);

// Keys are runtime ids, or `<runtime id> (<what>)` where one runtime id has several (RUNTIME_OF).
// Getters: a hello that needs a build (javac, go) is built only when a benchmark deploys it.
export const HELLO = {
  'nodejs20.x': { 'lambda_function.mjs': 'export const lambda_handler = async (event) => ({ hello: event.name ?? "world" });\n' },
  'python3.11': { 'lambda_function.py': 'def lambda_handler(event, context):\n    return {"hello": event.get("name", "world")}\n' },
  ...(has('ruby') && { 'ruby3.3': { 'lambda_function.rb': "def lambda_handler(event:, context:)\n  { hello: event['name'] || 'world' }\nend\n" } }),
  ...(has('javac') && { get java17() { return javaHello(); } }),
  ...(has('curl') && { get 'provided.al2023 (shell)'() { return shellHello(); } }),
  ...(has('go') && { get 'provided.al2023 (go)'() { return goHello(); } }),
};

/** The runtime id of a HELLO key. */
export const RUNTIME_OF = (key) => key.replace(/ \(.*\)$/, '');

/** Handlers that are not lambda_function.lambda_handler. */
const HANDLERS = { java17: 'example.Hello::handleRequest' };

export function zipOf(files) {
  const tree = {};
  for (const [name, content] of Object.entries(files)) {
    tree[name] = [typeof content === 'string' ? enc(content) : content.data, { os: 3, attrs: ((0o100000 | (content.mode ?? 0o644)) << 16) >>> 0 }];
  }
  return zipSync(tree);
}

export async function deploy(lambda, name, runtime, files = HELLO[runtime], extra = {}) {
  await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: RUNTIME_OF(runtime), Role: 'arn:aws:iam::000000000000:role/lambkin',
    Handler: HANDLERS[runtime] ?? 'lambda_function.lambda_handler', Code: { ZipFile: zipOf(files) }, MemorySize: 256, Timeout: 30, ...extra,
  }));
}
