// DescribeLogStreams: a group's streams by name (optionally by prefix) or by last event time,
// ascending or descending, keyset-paged.
import { z } from 'zod';
import type { LogStore, StreamView } from '../../logs/index.js';
import { invalidParameter } from './errors.js';
import { decodeToken, encodeToken, groupArn, groupIdentifier, groupName, parseBody, requireGroup, streamName } from './input.js';
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

const Token = z.object({ name: z.string(), lastEvent: z.number(), id: z.number() });

export function describeLogStreams(store: LogStore): LogsOperation {
  return (body) => {
    const input = parseBody(Input, body);
    const orderBy = input.orderBy ?? 'LogStreamName';
    if (orderBy === 'LastEventTime' && input.logStreamNamePrefix !== undefined) {
      throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
    }
    store.sync();
    const group = requireGroup(store, input);
    const { streams, more } = store.groups.streams(group.id, {
      prefix: input.logStreamNamePrefix, orderBy, descending: input.descending ?? false,
      limit: input.limit ?? 50, after: decodeToken(input.nextToken, Token),
    });
    const last = streams[streams.length - 1];
    return {
      logStreams: streams.map((s) => toWire(group.name, s)),
      nextToken: more && last ? encodeToken({ name: last.name, lastEvent: last.lastEvent ?? 0, id: last.id }) : undefined,
    };
  };
}

function toWire(group: string, s: StreamView): object {
  return {
    logStreamName: s.name,
    creationTime: s.createdAt,
    firstEventTimestamp: s.firstEvent,
    lastEventTimestamp: s.lastEvent,
    lastIngestionTime: s.lastIngestion,
    arn: `${groupArn(group)}:log-stream:${s.name}`,
    storedBytes: s.storedBytes,
  };
}
