// DescribeLogGroups: groups in name order, by prefix or by a substring (logGroupNamePattern).
import { z } from 'zod';
import type { GroupView, LogStore } from '../../logs/index.js';
import { invalidParameter } from './errors.js';
import { decodeToken, encodeToken, groupArn, groupName, parseBody } from './input.js';
import type { LogsOperation } from './routes.js';

const Input = z.object({
  logGroupNamePrefix: groupName.optional(),
  logGroupNamePattern: z.string().max(512).optional(),
  nextToken: z.string().optional(),
  limit: z.number().int().min(1).max(50).optional(),
});

const Token = z.object({ n: z.string() });

export function describeLogGroups(store: LogStore): LogsOperation {
  return (body) => {
    const input = parseBody(Input, body);
    if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
      throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
    }
    store.sync();
    const { groups, more } = store.groups.list({
      prefix: input.logGroupNamePrefix, contains: input.logGroupNamePattern,
      after: decodeToken(input.nextToken, Token)?.n, limit: input.limit ?? 50,
    });
    return { logGroups: groups.map(toWire), nextToken: more ? encodeToken({ n: groups[groups.length - 1]!.name }) : undefined };
  };
}

export function toWire(g: GroupView): object {
  return {
    logGroupName: g.name,
    creationTime: g.createdAt,
    retentionInDays: g.retentionDays,
    metricFilterCount: 0,
    arn: `${groupArn(g.name)}:*`,
    logGroupArn: groupArn(g.name),
    storedBytes: g.storedBytes,
    logGroupClass: 'STANDARD',
  };
}
