// The live tail under a flood: one function floods stdout while 62 tail clients connect and never
// read, one reads slowly and one reads normally. Every line used to be encoded once per client and
// kept per client (RSS +130 MB, another function's warm invokes 2.1 → 307 ms at p50). Here the
// server's memory stays bounded, another function's invokes are answered throughout, the slow
// reader is told how many lines it missed, and the normal reader still gets lines.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { deploy, ECHO_NODE, stillServes, waitFor } from './hostile.js';

const FLOOD = `exports.lambda_handler = async (event) => {
  const line = 'flood ' + 'x'.repeat(500) + '\\n';
  const until = Date.now() + event.ms;
  while (Date.now() < until) {
    if (!process.stdout.write(line.repeat(50))) await new Promise((r) => process.stdout.once('drain', r));
  }
  return 'done';
};`;
const DEAF = 62;

let lk: Lambkin;
const sockets: Socket[] = [];

beforeAll(async () => {
  lk = await startLambkin();
  await deploy(lk.lambda, 'bystander', ECHO_NODE);
  await deploy(lk.lambda, 'flood', FLOOD, { timeout: 120 });
  await stillServes(lk.lambda);
  // A flood with no tail first: the memory the flood itself takes (log store, queues, caches) is
  // then part of the baseline, and what grows after is the tails'.
  const warm = await lk.lambda.send(new InvokeCommand({ FunctionName: 'flood', Payload: Buffer.from(JSON.stringify({ ms: 8000 })) }));
  expect(warm.FunctionError).toBeUndefined();
}, 60_000);
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await lk?.stop();
});

function rssMb(): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${lk.proc.pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

/** A tail of the flooding function over a raw socket; `received` grows while it is read. */
function tail(): { socket: Socket; received: () => string; bytes: () => number } {
  const { hostname, port } = new URL(lk.url);
  let text = '';
  let bytes = 0;
  const socket = connect({ host: hostname, port: Number(port) }, () => {
    socket.write(`GET /lambkin/v1/tail?function=flood HTTP/1.1\r\nhost: ${hostname}\r\naccept: text/event-stream\r\n\r\n`);
  });
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    bytes += chunk.length;
    text += chunk;
    if (text.length > 4 * 1024 * 1024) text = text.slice(-1024 * 1024); // keep the recent part
  });
  socket.on('error', () => undefined);
  sockets.push(socket);
  return { socket, received: () => text, bytes: () => bytes };
}

describe('hostile tail readers', () => {
  it('a flood with 62 tails that never read: memory bounded, other invokes answered, slow readers told, readers served', async () => {
    const before = rssMb();
    const deaf = Array.from({ length: DEAF }, () => tail());
    const slow = tail();
    const normal = tail();
    await waitFor('every tail to be ready', () => [...deaf, slow, normal].every((t) => t.received().includes('event: ready')), 30_000);
    for (const t of deaf) t.socket.pause();
    slow.socket.pause();

    const flood = lk.lambda.send(new InvokeCommand({ FunctionName: 'flood', Payload: Buffer.from(JSON.stringify({ ms: 30_000 })) }));
    flood.catch(() => undefined); // awaited below; a failed test must not leave it unhandled
    let peak = rssMb();
    // While the flood runs: another function answers, again and again, and memory stays bounded.
    const served = normal.bytes();
    let invokes = 0;
    await waitFor('the normal reader to get 16 MB of lines', async () => {
      await stillServes(lk.lambda);
      invokes++;
      peak = Math.max(peak, rssMb());
      return normal.bytes() - served > 16 * 1024 * 1024;
    }, 90_000);
    expect(invokes).toBeGreaterThan(0);
    expect(normal.received()).toContain('event: log');
    // Before: +200 MB here (each client's own copy of every line); now about +10 MB.
    expect(peak - before).toBeLessThan(48);

    // The slow reader reads again: it is told how many lines it missed, then gets lines again.
    const mark = slow.received().length;
    slow.socket.resume();
    const notice = await waitFor('the slow reader to be told what it missed', () => /event: dropped\ndata: (\{.*\})\n/.exec(slow.received().slice(mark)) ?? undefined, 60_000);
    expect(JSON.parse(notice[1]!)).toMatchObject({ lines: expect.any(Number), message: expect.stringMatching(/^\d+ lines skipped/) });
    await waitFor('lines after the notice', () => slow.received().slice(mark + notice.index).includes('event: log'), 60_000);

    peak = Math.max(peak, rssMb());
    expect(peak - before).toBeLessThan(48);
    for (const s of sockets.splice(0)) s.destroy();
    expect((await flood).FunctionError).toBeUndefined();
    await stillServes(lk.lambda);
  }, 240_000);
});
