// The load shapes every target gets, through one SDK client: sequential latency and N in flight.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Agent } from 'node:http';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export function client(endpoint) {
  return new LambdaClient({
    endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }) }),
  });
}

const payload = new TextEncoder().encode('{"name":"bench"}');

export async function invoke(lambda, name) {
  const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload }));
  if (r.FunctionError || r.StatusCode !== 200) throw new Error(`${name}: ${r.FunctionError} ${Buffer.from(r.Payload ?? []).toString()}`);
  return r;
}

/** n sequential invokes; each latency in ms. */
export async function sequential(lambda, name, n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await invoke(lambda, name);
    out[i] = performance.now() - t;
  }
  return out;
}

/** `inFlight` loops invoking for `seconds`; returns completed invokes and errors. */
export async function flood(lambda, name, inFlight, seconds, onTick) {
  let done = 0;
  let errors = 0;
  let firstError;
  const until = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (performance.now() < until) {
      try {
        await invoke(lambda, name);
        done++;
      } catch (err) {
        errors++;
        firstError ??= `${err.name}: ${err.message}`.slice(0, 300);
      }
      onTick?.();
    }
  }));
  return { done, errors, firstError };
}
