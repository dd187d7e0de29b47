// StartLiveTail's bounds, on the hub itself with a store stand-in and response streams that read
// (or do not): the session limit, the end of a session at its maximum time with a
// SessionTimeoutException event, and a reader that fell behind told `sampled: true` before its next
// lines. Messages are decoded with the SDK's own event stream codec.
import { EventStreamCodec } from '@smithy/core/event-streams';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveTailHub, MAX_SESSIONS } from '../../src/api/logs/live-tail-hub.js';
import { LogsError } from '../../src/api/logs/errors.js';
import type { ResponseStream } from '../../src/api/http.js';
import type { Batch, LogEvent } from '../../src/logs/index.js';
import { Arns } from '../../src/registry/arn.js';
import { waitFor } from '../helpers/functions.js';

const codec = new EventStreamCodec((b) => Buffer.from(b).toString('utf8'), (s) => Buffer.from(s, 'utf8'));

class Out implements ResponseStream {
  readonly chunks: Buffer[] = [];
  buffered = 0;
  ended = false;
  private readonly closers: (() => void)[] = [];
  write(chunk: string | Buffer): boolean {
    this.chunks.push(Buffer.from(chunk));
    return true;
  }
  end(): void {
    this.ended = true;
  }
  onClose(listener: () => void): void {
    this.closers.push(listener);
  }
  close(): void {
    for (const c of this.closers) c();
  }
  drained(): Promise<void> {
    return Promise.resolve();
  }
  /** The messages written so far: [type, body]. */
  messages(): [string, { sessionMetadata?: { sampled: boolean }; sessionResults?: { message: string }[]; message?: string }][] {
    const all = Buffer.concat(this.chunks);
    const out: ReturnType<Out['messages']> = [];
    for (let at = 0; at < all.length;) {
      const length = all.readUInt32BE(at);
      const m = codec.decode(all.subarray(at, at + length));
      const type = String((m.headers[':event-type'] ?? m.headers[':exception-type'])!.value);
      out.push([type, JSON.parse(Buffer.from(m.body).toString('utf8'))]);
      at += length;
    }
    return out;
  }
}

const listeners = new Set<(b: Batch) => void>();
const store = {
  onWritten(l: (b: Batch) => void) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};
const write = (...messages: string[]) => {
  const events: LogEvent[] = messages.map((message) => ({ timestamp: Date.now(), group: '/aws/lambda/f', stream: 's', envId: 'e', requestId: undefined, level: undefined, message }));
  for (const l of listeners) l({ events, records: [], first: 0 });
};
const filter = { groups: ['/aws/lambda/f'], key: 'f' };
const hubs: LiveTailHub[] = [];
afterEach(() => {
  for (const h of hubs.splice(0)) h.close();
});

describe('live tail sessions', () => {
  it(`refuses the session after ${MAX_SESSIONS} open ones, and takes one again once one ends`, () => {
    const hub = new LiveTailHub(store, new Arns());
    hubs.push(hub);
    const outs = Array.from({ length: MAX_SESSIONS }, () => new Out());
    for (const o of outs) {
      hub.admit();
      hub.open(o, filter, {});
    }
    expect(() => hub.admit()).toThrow(LogsError);
    outs[0]!.close();
    expect(() => hub.admit()).not.toThrow();
  });

  it('ends a session at its maximum time with a SessionTimeoutException event', async () => {
    const hub = new LiveTailHub(store, new Arns(), 50);
    hubs.push(hub);
    const out = new Out();
    hub.open(out, filter, {});
    await waitFor('the session to end', () => out.ended);
    const messages = out.messages();
    expect(messages.map(([t]) => t)).toEqual(['initial-response', 'sessionStart', 'SessionTimeoutException']);
    expect(messages[2]![1].message).toMatch(/maximum/);
    expect(listeners.size).toBe(0); // no session: the hub no longer listens to the store
  });

  it('a reader that fell behind loses lines and is told sampled: true before its next ones', async () => {
    const hub = new LiveTailHub(store, new Arns());
    hubs.push(hub);
    const out = new Out();
    hub.open(out, filter, {});
    write('one');
    await waitFor('the first line', () => out.messages().some(([t]) => t === 'sessionUpdate'));
    out.buffered = 10 * 1024 * 1024; // not reading
    write('lost');
    await new Promise((r) => setImmediate(r)); // the fan-out's turn was queued first: it has run
    out.buffered = 0;
    write('two');
    await waitFor('the second line', () => out.messages().filter(([t]) => t === 'sessionUpdate').length >= 3);
    const updates = out.messages().filter(([t]) => t === 'sessionUpdate').map(([, b]) => [b.sessionMetadata!.sampled, b.sessionResults!.map((r) => r.message)]);
    expect(updates).toEqual([[false, ['one']], [true, []], [false, ['two']]]);
  });
});
