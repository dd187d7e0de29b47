// DescribeLogStreams: a group's streams by name (optionally by prefix) or by last event time,
// ascending or descending, keyset-paged.
import { z } from 'zod';
import type { LogReader, StreamView } from '../../logs/index.js';
import { invalidParameter } from './errors.js';
import type { Arns } from '../../registry/index.js';
import { groupIdentifier, groupName, groupNameOf, parseBody, streamName } from './input.js';
import type { LogsOperation } from './routes.js';

const Input = z.object({
  logGroupName: groupName.optional(),
  logGroupIdentifier: groupIdentifier.optional(),
  logStreamNamePrefix: streamName.optional(),
  orderBy: z.enum(['LogStreamName', 'LastEventTime']).optional(),
  descending: z.boolean().optional(),
  nextToken: z.string().optional(),
  limit: z.number().int().min(1).max(50).optional(),
});

export function describeLogStreams(store: LogReader, arns: Arns): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    const orderBy = input.orderBy ?? 'LogStreamName';
    if (orderBy === 'LastEventTime' && input.logStreamNamePrefix !== undefined) {
      throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
    }
    const group = groupNameOf(input);
    const page = await store.describeStreams(group, {
      prefix: input.logStreamNamePrefix, orderBy, descending: input.descending ?? false, limit: input.limit ?? 50, token: input.nextToken,
    });
    return { logStreams: page.streams.map((s) => toWire(arns, group, s)), nextToken: page.nextToken };
  };
}

function toWire(arns: Arns, group: string, s: StreamView): object {
  return {
    logStreamName: s.name,
    creationTime: s.createdAt,
    firstEventTimestamp: s.firstEvent,
    lastEventTimestamp: s.lastEvent,
    lastIngestionTime: s.lastIngestion,
    arn: `${arns.logGroupArn(group)}:log-stream:${s.name}`,
    storedBytes: s.storedBytes,
  };
}
