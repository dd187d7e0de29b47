// FilterLogEvents: a group's events across its streams, in time order, matching a filter
// pattern. A page ends at `limit`, at 1 MB, or when the scan's time budget is spent — possibly
// with no events but a nextToken, as CloudWatch does; without a nextToken everything was read.
// `aws logs tail --follow` polls this with a moving startTime.
import { z } from 'zod';
import { compilePattern, type LogStore, type StoredEvent } from '../../logs/index.js';
import { invalidParameter } from './errors.js';
import { decodeToken, encodeToken, groupIdentifier, groupName, parseBody, requireGroup, streamName, timestamp } from './input.js';
import type { LogsOperation } from './routes.js';

const Input = z.object({
  logGroupName: groupName.optional(),
  logGroupIdentifier: groupIdentifier.optional(),
  logStreamNames: z.array(streamName).min(1).max(100).optional(),
  logStreamNamePrefix: streamName.optional(),
  startTime: timestamp.optional(),
  endTime: timestamp.optional(),
  filterPattern: z.string().max(1024).optional(),
  nextToken: z.string().optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  interleaved: z.boolean().optional(), // deprecated: results are always interleaved
  unmask: z.boolean().optional(),
});

const Token = z.object({ a: z.number().int().min(0) });

export function filterLogEvents(store: LogStore): LogsOperation {
  return (body) => {
    const input = parseBody(Input, body);
    if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
      throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
    }
    const pattern = compilePattern(input.filterPattern);
    store.sync();
    const group = requireGroup(store, input);
    const streamIds = input.logStreamNames !== undefined || input.logStreamNamePrefix !== undefined
      ? store.groups.streamIds(group.id, input.logStreamNames, input.logStreamNamePrefix)
      : undefined;
    if (streamIds?.length === 0) return { events: [], searchedLogStreams: [] };
    const result = store.events.scan({
      groupId: group.id, streamIds, startTime: input.startTime, endTime: input.endTime, pattern,
      afterId: decodeToken(input.nextToken, Token)?.a, limit: input.limit ?? 10_000,
    });
    return {
      events: result.events.map(toWire),
      searchedLogStreams: [],
      nextToken: result.next === undefined ? undefined : encodeToken({ a: result.next }),
    };
  };
}

function toWire(e: StoredEvent): object {
  return {
    logStreamName: e.logStream,
    timestamp: e.timestamp,
    message: e.message,
    ingestionTime: e.ingestionTime,
    eventId: String(e.eventId),
  };
}
