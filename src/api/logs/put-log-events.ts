// PutLogEvents: a client's events into a stream made with CreateLogStream, with CloudWatch's
// limits — at most 10,000 events and 1,048,576 bytes a batch (each event's UTF-8 message plus 26
// bytes), at most 256 KB an event, in chronological order, spanning at most 24 hours. Events
// more than 14 days old (or older than the group's retention) or more than 2 hours ahead are
// not stored and said in rejectedLogEventsInfo; the rest are. The sequence token is ignored, as
// CloudWatch does today: every batch is accepted, none is refused as a duplicate.
import { z } from 'zod';
import type { LogReader, PutEvent } from '../../logs/index.js';
import { invalidParameter } from './errors.js';
import { groupName, parseBody, streamName } from './input.js';
import { refused } from './log-streams.js';
import type { LogsOperation } from './routes.js';

export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
export const MAX_EVENT_BYTES = 262_144;
export const EVENT_OVERHEAD = 26;
const DAY_MS = 86_400_000;
const MAX_SPAN_MS = DAY_MS;
const MAX_AGE_MS = 14 * DAY_MS;
const MAX_AHEAD_MS = 2 * 3_600_000;

const Input = z.object({
  logGroupName: groupName,
  logStreamName: streamName,
  // Bounded before it is looked at: each message's own size is checked below, in bytes.
  logEvents: z.array(z.object({ timestamp: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), message: z.string().min(1).max(MAX_EVENT_BYTES) })).min(1).max(MAX_BATCH_EVENTS),
  sequenceToken: z.string().max(256).optional(),
  entity: z.record(z.string(), z.unknown()).optional(),
});

export interface RejectedInfo {
  tooNewLogEventStartIndex?: number;
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
}

export function putLogEvents(store: LogReader, now: () => number = Date.now): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    const events = input.logEvents;
    let bytes = 0;
    for (const [i, e] of events.entries()) {
      const size = Buffer.byteLength(e.message) + EVENT_OVERHEAD;
      if (size > MAX_EVENT_BYTES) throw invalidParameter(`Log event ${i} is too large: ${size} bytes exceeds the limit of ${MAX_EVENT_BYTES} (its message plus ${EVENT_OVERHEAD}).`);
      bytes += size;
      if (i > 0 && e.timestamp < events[i - 1]!.timestamp) {
        throw invalidParameter(`Log events in a single PutLogEvents request must be in chronological order: event ${i} is older than event ${i - 1}.`);
      }
    }
    if (bytes > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${bytes} bytes exceeds the limit of ${MAX_BATCH_BYTES}; send fewer events a batch.`);
    if (events[events.length - 1]!.timestamp - events[0]!.timestamp > MAX_SPAN_MS) {
      throw invalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours; split it.');
    }
    const group = await store.describeGroup(input.logGroupName);
    const t = now();
    const expiredBefore = group?.retentionDays === undefined ? Number.NEGATIVE_INFINITY : t - group.retentionDays * DAY_MS;
    // In chronological order, the refused ones are a run at each end.
    let lo = 0;
    while (lo < events.length && events[lo]!.timestamp < Math.max(t - MAX_AGE_MS, expiredBefore)) lo++;
    let hi = events.length;
    while (hi > lo && events[hi - 1]!.timestamp > t + MAX_AHEAD_MS) hi--;
    const kept: PutEvent[] = events.slice(lo, hi);
    refused(await store.putEvents(input.logGroupName, input.logStreamName, kept), input.logStreamName);
    const rejected: RejectedInfo = {};
    if (hi < events.length) rejected.tooNewLogEventStartIndex = hi;
    const tooOld = events.findIndex((e) => e.timestamp >= t - MAX_AGE_MS);
    const oldEnd = tooOld < 0 ? events.length : tooOld;
    if (oldEnd > 0) rejected.tooOldLogEventEndIndex = Math.min(oldEnd, hi);
    if (lo > oldEnd) rejected.expiredLogEventEndIndex = lo;
    // A token for clients that still send one (CloudWatch stopped checking them): any value does.
    return { nextSequenceToken: String(t).padStart(20, '0'), ...(Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {}) };
  };
}
