// Where an invocation's marked START, END and REPORT went, for its record (src/logs/platform-places.ts):
// the record gets the places the sink gave the three lines, or none when one was dropped, belongs to
// another environment, or is too far behind to be kept.
import { describe, expect, it } from 'vitest';
import { PlatformPlaces } from '../../src/logs/platform-places.js';
import { bulkBatch } from '../../src/logs/write-queue.js';
import { PLATFORM_SPAN } from '../../src/logs/platform-events.js';
import type { InvocationRecord, LogEvent, PlatformMark } from '../../src/logs/index.js';

function line(requestId: string, envId: string, platform?: PlatformMark): LogEvent {
  return { timestamp: 1, group: '/aws/lambda/f', stream: `s-${envId}`, envId, requestId, level: platform ? 'PLATFORM' : 'INFO', message: platform ?? 'hello', platform };
}

function record(requestId: string, envId: string | undefined): InvocationRecord {
  return {
    requestId, functionName: 'f', version: '$LATEST', envId, logStream: envId && `s-${envId}`, startedAt: 1, cold: false, initMs: undefined,
    durationMs: 1, billedMs: 1, memoryMb: 128, maxMemoryUsedMb: 40, outcome: 'success', errorType: undefined, errorMessage: undefined,
  };
}

const places = (l: { start: number; end: number; report: number } | undefined) => l && { start: l.start, end: l.end, report: l.report };

describe('platform places', () => {
  it('gives a record the places of its own START, END and REPORT, among other invocations\' lines', () => {
    const p = new PlatformPlaces();
    p.note(line('a', 'e1', 'start'), 0);
    p.note(line('b', 'e2', 'start'), 1);
    p.note(line('a', 'e1', 'end'), 3);
    p.note(line('b', 'e2', 'end'), 4);
    p.note(line('a', 'e1', 'report'), 5);
    expect(places(p.take(record('a', 'e1')))).toEqual({ start: 0, end: 3, report: 5 });
    p.note(line('b', 'e2', 'report'), 6);
    expect(places(p.take(record('b', 'e2')))).toEqual({ start: 1, end: 4, report: 6 });
    // Once taken, a second record of the request (a throttle, a retry's) gets nothing.
    expect(p.take(record('a', 'e1'))).toBeUndefined();
  });

  it('gives none when a line was dropped, or came from another environment', () => {
    const p = new PlatformPlaces();
    p.note(line('a', 'e1', 'start'), -1);
    p.note(line('a', 'e1', 'end'), 1);
    p.note(line('a', 'e1', 'report'), 2);
    expect(p.take(record('a', 'e1'))).toBeUndefined();

    p.note(line('b', 'e1', 'start'), 3);
    p.note(line('b', 'e1', 'end'), 4);
    p.note(line('b', 'e1', 'report'), -1);
    expect(p.take(record('b', 'e1'))).toBeUndefined();

    p.note(line('c', 'e1', 'start'), 5);
    p.note(line('c', 'e2', 'end'), 6); // not this invocation's
    p.note(line('c', 'e1', 'report'), 7);
    expect(p.take(record('c', 'e2'))).toBeUndefined();
    expect(p.take(record('c', 'e1'))).toBeUndefined(); // its END never came
  });

  it('takes the latest START of a request (a retry on the same node)', () => {
    const p = new PlatformPlaces();
    p.note(line('a', 'e1', 'start'), 0);
    p.note(line('a', 'e2', 'start'), 10);
    p.note(line('a', 'e2', 'end'), 11);
    p.note(line('a', 'e2', 'report'), 12);
    expect(places(p.take(record('a', 'e2')))).toEqual({ start: 10, end: 11, report: 12 });
  });

  it('forgets a START whose record never comes once it is too far behind to be kept', () => {
    const p = new PlatformPlaces();
    p.note(line('lost', 'e0', 'start'), 0);
    for (let i = 1; i <= PLATFORM_SPAN + 1; i++) p.note(line(`r${i}`, `e${i}`, 'start'), i);
    p.note(line('lost', 'e0', 'end'), PLATFORM_SPAN + 2);
    p.note(line('lost', 'e0', 'report'), PLATFORM_SPAN + 3);
    expect(p.take(record('lost', 'e0'))).toBeUndefined();
    // The ones still within reach keep theirs.
    p.note(line('r5', 'e5', 'end'), PLATFORM_SPAN + 4);
    p.note(line('r5', 'e5', 'report'), PLATFORM_SPAN + 5);
    expect(places(p.take(record('r5', 'e5')))).toEqual({ start: 5, end: PLATFORM_SPAN + 4, report: PLATFORM_SPAN + 5 });
  });

  it('places the records of a bulk write by the marks in its events, cutting long errors as the queue does', () => {
    const events = [line('a', 'e1', 'start'), line('a', 'e1'), line('b', 'e2', 'start'), line('a', 'e1', 'end'), line('a', 'e1', 'report')];
    const long = { ...record('b', 'e2'), errorMessage: 'x'.repeat(10_000) };
    const batch = bulkBatch(events, [record('a', 'e1'), long]);
    const [a, b] = batch.records;
    expect(places(batch.lines!.get(a!))).toEqual({ start: 0, end: 3, report: 4 });
    expect(batch.lines!.has(b!)).toBe(false);
    expect(b!.errorMessage!.length).toBeLessThan(5000);
  });
});
