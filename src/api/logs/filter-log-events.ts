// FilterLogEvents: a group's events across its streams, in time order, matching a filter
// pattern. A page ends at `limit`, at 1 MB, or when the scan's time budget is spent — possibly
// with no events but a nextToken, as CloudWatch does; without a nextToken everything was read.
// `aws logs tail --follow` polls this with a moving startTime.
import { z } from 'zod';
import { compilePattern, type LogReader, type StoredEvent } from '../../logs/index.js';
import { invalidParameter } from './errors.js';
import { groupIdentifier, groupName, parseBody, requireGroup, streamName, timestamp } from './input.js';
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

export function filterLogEvents(store: LogReader): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
      throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
    }
    const pattern = compilePattern(input.filterPattern);
    // The store reads a missing group as empty; CloudWatch says it does not exist.
    const group = await requireGroup(store, input);
    const page = await store.filterEvents({
      group: group.name, streamNames: input.logStreamNames, streamPrefix: input.logStreamNamePrefix,
      startTime: input.startTime, endTime: input.endTime, pattern, token: input.nextToken, limit: input.limit ?? 10_000,
    });
    return { events: page.events.map(toWire), searchedLogStreams: [], nextToken: page.nextToken };
  };
}

function toWire(e: StoredEvent): object {
  return {
    logStreamName: e.logStream,
    timestamp: e.timestamp,
    message: e.message,
    ingestionTime: e.ingestionTime,
    eventId: e.eventId,
  };
}
