// The Java runtime in the namespace sandbox reaches the Runtime API over the host's unix socket,
// not through the TCP forwarder behind AWS_LAMBDA_RUNTIME_API (as Node.js, Python and Ruby do),
// and the function's code finds no socket property and no private variable (the path stays on the
// JVM's command line, as a deleted variable stays in /proc/self/environ for the other runtimes).
// It starts with the JVM flags of Lambda's Java runtime; its cold start reports its Init Duration.
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { ROLE } from '../helpers/functions.js';
import { zip } from '../helpers/zip.js';
import { FIXTURES, compileJava, which } from '../conformance/runtime-packages.js';

describe.skipIf(!which('javac') || !which('bwrap'))('Java runtime and the Runtime API (namespace sandbox)', () => {
  let lk: Lambkin;

  beforeAll(async () => {
    lk = await startLambkin({ args: ['--sandbox', 'namespace'] });
    await lk.lambda.send(new CreateFunctionCommand({
      FunctionName: 'java-wire', Runtime: 'java17', Role: ROLE, Handler: 'example.Wire::handleRequest', MemorySize: 256, Timeout: 30,
      Code: { ZipFile: zip(compileJava(join(FIXTURES, 'java/wire'))) },
    }));
  });
  afterAll(async () => {
    await lk?.stop();
  });

  it('answers over the unix socket, leaves the function no property or variable of it, and reports Init Duration', async () => {
    const out = await lk.lambda.send(new InvokeCommand({ FunctionName: 'java-wire', Payload: Buffer.from('{}'), LogType: 'Tail' }));
    expect(out.FunctionError).toBeUndefined();
    const body = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8'));
    expect(body.property).toBeNull();
    expect(body.variable).toBeNull();
    // The runtime's own connection would be one to port 9001 (the forwarder) were it on TCP.
    expect(body.tcpToRuntimeApi).toBe(0);
    expect(body.jvmArgs).toEqual(expect.arrayContaining(['-XX:+UseSerialGC', '-XX:+TieredCompilation', '-XX:TieredStopAtLevel=1']));
    expect(Buffer.from(out.LogResult ?? '', 'base64').toString()).toMatch(/REPORT RequestId: \S+\tDuration: [\d.]+ ms\t.*Init Duration: [\d.]+ ms/);
    // Warm: the same environment, still over the socket.
    const again = await lk.lambda.send(new InvokeCommand({ FunctionName: 'java-wire', Payload: Buffer.from('{}') }));
    expect(JSON.parse(Buffer.from(again.Payload ?? new Uint8Array()).toString('utf8')).tcpToRuntimeApi).toBe(0);
  });
});
