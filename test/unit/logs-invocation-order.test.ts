// A line the runtime wrote just before it answered can reach the server after the answer: epoll
// may report the runtime API socket before the stdout or telemetry pipe that filled first. Such a
// line is read in the event loop's next poll phase at the latest; it must still be tied to its
// request and come before END/REPORT. The real runtime's pipes race only now and then; here the
// line sits in a socket's kernel buffer when the answer comes, as the pipe's would, and is read
// on the next turn of the loop — which the old code put after END.
import type { ServerResponse } from 'node:http';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Invocation, type InvocationHost } from '../../src/environment/invocation.js';
import { NULL_SINK, type InvocationRecord } from '../../src/logs/index.js';
import type { FunctionRecord } from '../../src/registry/types.js';

interface Logged {
  readonly message: string;
  readonly requestId: string | undefined;
}

function host(): { host: InvocationHost; logged: Logged[]; records: InvocationRecord[] } {
  const logged: Logged[] = [];
  const records: InvocationRecord[] = [];
  let active: Invocation | undefined;
  const h = {
    id: 'env1',
    fn: { version: '$LATEST', config: { name: 'f', memorySize: 128, recordPayloads: false } } as unknown as FunctionRecord,
    logStream: '2026/01/01/[$LATEST]env1',
    initMs: undefined,
    sink: { ...NULL_SINK, invocation: (r: InvocationRecord) => records.push(r) },
    // As the environment does: a line without a request id belongs to the active invocation.
    log: (message: string, _level: unknown, requestId = active?.id) => {
      active?.tail(message);
      logged.push({ message, requestId });
    },
    maxMemoryUsedMb: () => 40,
    extensionsBusy: () => false,
    settled: (inv: Invocation) => {
      if (active === inv) active = undefined;
    },
    kill: () => undefined,
    start(inv: Invocation) {
      active = inv;
    },
  };
  return { host: h, logged, records };
}

const res = { writeHead: () => undefined, end: () => undefined } as unknown as ServerResponse;

// A stand-in for the runtime's stdout: a Unix socket pair (a write lands in the reader's kernel
// buffer at once, as a pipe write does).
let dir: string;
let server: Server;
let writer: Socket;
let reader: Socket;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambkin-order-'));
  const path = join(dir, 'stdout.sock');
  server = createServer();
  await new Promise<void>((r) => server.listen(path, r));
  const accepted = new Promise<Socket>((r) => server.once('connection', r));
  writer = createConnection(path);
  await new Promise((r) => writer.once('connect', r));
  reader = await accepted;
});
afterAll(() => {
  writer?.destroy();
  reader?.destroy();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('END and REPORT wait for the lines written before the answer', () => {
  it('ties a line read on the next turn of the event loop to its request, before END', async () => {
    const { host: h, logged, records } = host();
    const inv = new Invocation({ requestId: 'req-1', payload: Buffer.from('{}'), invokedArn: 'arn', tail: true }, h, false);
    (h as unknown as { start(i: Invocation): void }).start(inv);
    inv.dispatch(res, 30);
    h.log('written before the answer', 'INFO');
    reader.on('data', (chunk: Buffer) => h.log(chunk.toString().trimEnd(), 'INFO'));
    writer.write('read after the answer\n'); // in the kernel now; read in the loop's next poll phase
    inv.succeed(Buffer.from('"ok"'));
    const result = await inv.done;
    reader.removeAllListeners('data');
    expect(logged.map((l) => l.message)).toEqual([
      'written before the answer', 'read after the answer', 'END RequestId: req-1', expect.stringMatching(/^REPORT RequestId: req-1\t/),
    ]);
    expect(logged.every((l) => l.requestId === 'req-1')).toBe(true);
    expect(records.map((r) => r.requestId)).toEqual(['req-1']);
    expect(Buffer.from(result.logTail!, 'base64').toString()).toContain('read after the answer\nEND RequestId: req-1\n');
  });

  it('keeps the first answer while END is pending', async () => {
    const { host: h, logged } = host();
    const inv = new Invocation({ requestId: 'req-2', payload: Buffer.from('{}'), invokedArn: 'arn', tail: false }, h, false);
    (h as unknown as { start(i: Invocation): void }).start(inv);
    inv.dispatch(res, 30);
    inv.succeed(Buffer.from('"first"'));
    expect(inv.finished).toBe(true);
    inv.fail({ errorType: 'X', errorMessage: 'late', stackTrace: [] }, 'error');
    const result = await inv.done;
    expect(result.ok).toBe(true);
    expect(result.payload.toString()).toBe('"first"');
    expect(logged.filter((l) => l.message.startsWith('END ')).length).toBe(1);
  });
});
