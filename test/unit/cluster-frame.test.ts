// How invocations and results cross nodes (src/cluster/frame.ts): they come back as they went, a
// 6 MB payload stays 6 MB (raw bytes, never base64), and whatever else arrives on the subjects
// (truncated, not JSON, wrong shape, random bytes) is refused as undefined, never thrown.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeReply, decodeRequest, encodeReply, encodeRequest, requestLate, stampUntil } from '../../src/cluster/frame.js';
import { ClusterProvisioning } from '../../src/cluster/provisioned.js';
import type { NatsConnection } from 'nats';

const input = {
  requestId: 'r-1', payload: Buffer.from('{"a":1}'), invokedArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', tail: true,
  traceId: 'Root=1-x', clientContext: '{"custom":{}}', identity: undefined,
};

describe('cluster frames', () => {
  it('an invocation and its result come back as they went, 6 MB payloads as raw bytes', () => {
    const big = randomBytes(6 * 1024 * 1024);
    const wire = encodeRequest({ name: 'f', version: '$LATEST', revisionId: 'rev' }, { ...input, payload: big });
    expect(wire.length).toBeLessThan(big.length + 1024);
    const back = decodeRequest(wire)!;
    expect(back.fn).toEqual({ name: 'f', version: '$LATEST', revisionId: 'rev' });
    expect(back.input).toMatchObject({ requestId: 'r-1', invokedArn: input.invokedArn, tail: true, traceId: 'Root=1-x', clientContext: '{"custom":{}}' });
    expect(Buffer.compare(back.input.payload, big)).toBe(0);

    const result = { requestId: 'r-1', envId: 'e', ok: false, payload: big, errorType: 'E', outcome: 'error' as const, cold: true, initMs: 12, durationMs: 3, billedMs: 3, maxMemoryUsedMb: 40 };
    const reply = decodeReply(encodeReply({ t: 'result', result }));
    expect(reply).toMatchObject({ t: 'result', result: { ...result, payload: expect.any(Buffer) } });
    expect(Buffer.compare((reply as { result: { payload: Buffer } }).result.payload, big)).toBe(0);
    expect(decodeReply(encodeReply({ t: 'accepted', node: 'node-2' }))).toEqual({ t: 'accepted', node: 'node-2' });
    expect(decodeReply(encodeReply({ t: 'busy' }))).toEqual({ t: 'busy' });
  });

  it('a request carries the deadline of its try: one received after it must not start', () => {
    const wire = encodeRequest({ name: 'f', version: '1', revisionId: 'rev' }, input);
    const now = 1_700_000_000_000;
    stampUntil(wire, now + 1000);
    expect(decodeRequest(wire)!.until).toBe(now + 1000);
    expect(requestLate(decodeRequest(wire)!, now)).toBe(false);
    expect(requestLate(decodeRequest(wire)!, now + 1001)).toBe(true);
    // The same bytes re-stamped for the next try; a deadline that is not a number is late.
    stampUntil(wire, now + 5000);
    expect(requestLate(decodeRequest(wire)!, now + 1001)).toBe(false);
    stampUntil(wire, Number.NaN);
    expect(requestLate(decodeRequest(wire)!, now)).toBe(true);
    expect(decodeRequest(wire)!.input.payload.toString()).toBe('{"a":1}');
  });

  it('anything else on the subjects is refused, never thrown', () => {
    const junk: Uint8Array[] = [
      new Uint8Array(0), new Uint8Array([0, 0]), Buffer.from([0, 0, 0, 200, 1, 2]), Buffer.from([0, 0, 0, 3, 0x7b, 0x7b, 0x7b]),
      Buffer.concat([Buffer.from([0, 0, 0, 4]), Buffer.from('null')]), Buffer.concat([Buffer.from([0, 0, 0, 2]), Buffer.from('{}')]),
      Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('{"t":"what"}')]),
      ...Array.from({ length: 200 }, (_, i) => randomBytes(i * 7)),
    ];
    for (const data of junk) {
      expect(() => decodeFrame(data)).not.toThrow();
      expect(decodeRequest(data)).toBeUndefined();
      expect(decodeReply(data)).toBeUndefined();
    }
  });
});

describe('provisioned concurrency shares', () => {
  const nc = { subscribe: () => ({ unsubscribe: () => undefined }) } as unknown as NatsConnection;
  it('the live nodes\' shares add up to K, for any K and number of nodes, and differ by at most one', () => {
    for (let n = 1; n <= 7; n++) {
      const ids = Array.from({ length: n }, (_, i) => `node-${i + 1}`);
      const view = { live: () => ids.map((id) => ({ id })), get: () => ({}), onLeft: () => () => undefined } as never;
      for (let k = 0; k <= 20; k++) {
        for (const target of ['a:1', 'b:live', 'c:$LATEST']) {
          const shares = ids.map((self) => {
            const p = new ClusterProvisioning(nc, self);
            p.joined(view);
            (p as unknown as { sharingFrom: number }).sharingFrom = 0; // as if the others had been heard
            return p.share({ id: target, fn: undefined as never, count: k });
          });
          expect(shares.reduce((a, b) => a + b, 0)).toBe(k);
          expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
        }
      }
    }
  });
});
