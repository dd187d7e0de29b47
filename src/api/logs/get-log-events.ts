// GetLogEvents: one stream's events, oldest first within a page. Without a token the page is the
// newest `limit` events (or the oldest, with startFromHead). Forward and backward tokens are the
// store's; at the end of the stream the token passed in comes back unchanged: SDK paginators and
// `tail`-style followers stop (or wait) on that.
import { z } from 'zod';
import type { LogReader, StoredEvent } from '../../logs/index.js';
import { groupIdentifier, groupName, groupNameOf, parseBody, streamName, timestamp } from './input.js';
import type { LogsOperation } from './routes.js';

const Input = z.object({
  logGroupName: groupName.optional(),
  logGroupIdentifier: groupIdentifier.optional(),
  logStreamName: streamName,
  startTime: timestamp.optional(),
  endTime: timestamp.optional(),
  nextToken: z.string().optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  startFromHead: z.boolean().optional(),
  unmask: z.boolean().optional(),
});

export function getLogEvents(store: LogReader): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    const page = await store.getStreamEvents({
      group: groupNameOf(input), stream: input.logStreamName, startTime: input.startTime, endTime: input.endTime,
      limit: input.limit ?? 10_000, token: input.nextToken, startFromHead: input.startFromHead === true,
    });
    return { events: page.events.map(toWire), nextForwardToken: page.nextForwardToken, nextBackwardToken: page.nextBackwardToken };
  };
}

function toWire(e: StoredEvent): object {
  return { timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime };
}
