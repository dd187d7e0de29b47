// The hello functions the benchmarks deploy, one per runtime, and a way to deploy them.
import { zipSync } from 'fflate';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';

const enc = (s) => new TextEncoder().encode(s);

export const HELLO = {
  'nodejs20.x': { 'lambda_function.mjs': 'export const lambda_handler = async (event) => ({ hello: event.name ?? "world" });\n' },
  'python3.11': { 'lambda_function.py': 'def lambda_handler(event, context):\n    return {"hello": event.get("name", "world")}\n' },
};

export function zipOf(files) {
  const tree = {};
  for (const [name, content] of Object.entries(files)) {
    tree[name] = [typeof content === 'string' ? enc(content) : content.data, { os: 3, attrs: ((0o100000 | (content.mode ?? 0o644)) << 16) >>> 0 }];
  }
  return zipSync(tree);
}

export async function deploy(lambda, name, runtime, files = HELLO[runtime], extra = {}) {
  await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: runtime, Role: 'arn:aws:iam::000000000000:role/lambkin',
    Handler: 'lambda_function.lambda_handler', Code: { ZipFile: zipOf(files) }, MemorySize: 256, Timeout: 30, ...extra,
  }));
}
