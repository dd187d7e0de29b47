// The telemetry pipe's frames (src/environment/log-capture.ts) as a runtime writes them, however
// the pipe splits them: each frame is one log event; a payload over 256 KB keeps its first 256 KB and
// the rest is counted as dropped (never buffered); bytes that are not a frame are dropped, counted.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { captureFrames, MAX_EVENT_BYTES } from '../../src/environment/log-capture.js';

function frame(text: string | Buffer): Buffer {
  const payload = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const head = Buffer.alloc(16);
  head.writeUInt32BE(0xa55a0003, 0);
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

/** The events and dropped-byte counts when `bytes` arrive in pieces of `size`. */
async function capture(bytes: Buffer, size: number): Promise<{ events: string[]; dropped: number[] }> {
  const stream = new PassThrough();
  const events: string[] = [];
  const dropped: number[] = [];
  captureFrames(stream, (m) => events.push(m), (n) => dropped.push(n));
  for (let i = 0; i < bytes.length; i += size) stream.write(bytes.subarray(i, i + size));
  stream.end();
  await new Promise((r) => stream.on('end', r).resume());
  return { events, dropped };
}

describe('telemetry frames', () => {
  it('are one event each, whatever the pipe splits them into', async () => {
    const texts = ['first line', 'multi\nline\nrecord\n', '', 'ünïcødé 😀', 'x'.repeat(70_000), 'last'];
    const bytes = Buffer.concat(texts.map(frame));
    const want = texts.map((t) => t.replace(/\n$/, ''));
    for (const size of [1, 3, 16, 17, 1000, 65_536, bytes.length]) {
      expect((await capture(bytes, size)).events, `pieces of ${size}`).toEqual(want);
    }
  });

  it('an oversized payload keeps its first 256 KB, the rest counted as dropped, and the next frame still reads', async () => {
    const big = Buffer.alloc(6_000_000, 'y');
    const bytes = Buffer.concat([frame(big), frame('after')]);
    for (const size of [65_536, 1_000_003]) {
      const { events, dropped } = await capture(bytes, size);
      expect(events.map((e) => e.length)).toEqual([MAX_EVENT_BYTES, 5]);
      expect(events[1]).toBe('after');
      expect(dropped).toEqual([6_000_000 - MAX_EVENT_BYTES]);
    }
  });

  it('bytes that are not a frame are dropped and counted', async () => {
    const { events, dropped } = await capture(Buffer.concat([frame('ok'), Buffer.from('garbage that is not a frame header')]), 7);
    expect(events).toEqual(['ok']);
    expect(dropped.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
