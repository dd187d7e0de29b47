// The soak's functions: four well-behaved ones that carry the measured load, the hostile one
// (hostile.py), a Node.js one that answers deep JSON (for the OnSuccess destination), the
// destination itself, and a function throttled to zero for the async queue.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { deploy, zipOf } from '../lib/functions.js';

const enc = (s) => new TextEncoder().encode(s);
const HOSTILE = readFileSync(join(import.meta.dirname, 'hostile.py'), 'utf8');

/**
 * Answers every event with JSON nested 6,000 deep — which no language runtime's serialiser writes
 * (its stack ends first: Node.js says Runtime.MarshalError) — so a custom runtime posts it as is.
 */
const DEEP_BOOTSTRAP = `#!/bin/sh
set -eu
api="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation"
deep=$(awk 'BEGIN { for (i = 0; i < 6000; i++) printf "["; for (i = 0; i < 6000; i++) printf "]" }')
while true; do
  id=$(curl -sS -D - -o /dev/null "$api/next" | tr -d '\\r' | awk 'tolower($1) == "lambda-runtime-aws-request-id:" { print $2 }')
  printf '%s' "$deep" | curl -sS -o /dev/null -X POST --data-binary @- "$api/$id/response"
done
`;

export const GOOD = {
  'good-node': ['nodejs20.x', { 'lambda_function.mjs': 'export const lambda_handler = async (e) => ({ hello: e.name ?? "world" });\n' }],
  'good-python': ['python3.11', { 'lambda_function.py': 'def lambda_handler(event, context):\n    return {"hello": event.get("name", "world")}\n' }],
  'good-node-logs': ['nodejs20.x', { 'lambda_function.mjs': 'export const lambda_handler = async (e) => { console.log("order", e.name); console.warn("slow path"); return { ok: 1 }; };\n' }],
  'good-python-logs': ['python3.11', { 'lambda_function.py': 'def lambda_handler(event, context):\n    print("order", event.get("name"))\n    return {"ok": 1}\n' }],
};

/** The hostile package, with `padMb` MB of zeros beside it (a small zip that unpacks big); `salt` makes each one new. */
export function hostileZip(padMb = 0, salt = 0) {
  const files = { 'lambda_function.py': enc(`${HOSTILE}\n# ${salt}\n`) };
  if (padMb) files['pad.bin'] = new Uint8Array(padMb * 1024 * 1024);
  return zipSync(files, { level: 9 });
}

export async function deployAll(lambda) {
  for (const [name, [runtime, files]] of Object.entries(GOOD)) await deploy(lambda, name, runtime, files);
  const arn = (name) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
  await deploy(lambda, 'dest', 'nodejs20.x', { 'lambda_function.js': 'exports.lambda_handler = async () => ({ ok: true });\n' });
  await deploy(lambda, 'hostile', 'python3.11', undefined, { Code: { ZipFile: hostileZip() }, Timeout: 10, MemorySize: 128 });
  await deploy(lambda, 'hostile-deep', 'provided.al2023', { bootstrap: { data: enc(DEEP_BOOTSTRAP), mode: 0o755 } });
  await deploy(lambda, 'throttled', 'nodejs20.x', { 'lambda_function.js': 'exports.lambda_handler = async () => 1;\n' });
  const config = (FunctionName, extra) => lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName, MaximumRetryAttempts: 0, ...extra }));
  await config('hostile', { DestinationConfig: { OnFailure: { Destination: arn('dest') } } });
  await config('hostile-deep', { DestinationConfig: { OnSuccess: { Destination: arn('dest') } } });
  await config('throttled', { MaximumEventAgeInSeconds: 60 });
  await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'throttled', ReservedConcurrentExecutions: 0 }));
}

export { zipOf };
