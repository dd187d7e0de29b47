// DescribeLogGroups: groups in name order, by prefix or by a substring (logGroupNamePattern).
import { z } from 'zod';
import type { GroupView, LogReader } from '../../logs/index.js';
import { invalidParameter } from './errors.js';
import type { Arns } from '../../registry/index.js';
import { groupName, parseBody } from './input.js';
import type { LogsOperation } from './routes.js';

const Input = z.object({
  logGroupNamePrefix: groupName.optional(),
  logGroupNamePattern: z.string().max(512).optional(),
  nextToken: z.string().optional(),
  limit: z.number().int().min(1).max(50).optional(),
});

export function describeLogGroups(store: LogReader, arns: Arns): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
      throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
    }
    const page = await store.describeGroups({
      prefix: input.logGroupNamePrefix, contains: input.logGroupNamePattern, token: input.nextToken, limit: input.limit ?? 50,
    });
    return { logGroups: page.groups.map((g) => toWire(arns, g)), nextToken: page.nextToken };
  };
}

export function toWire(arns: Arns, g: GroupView): object {
  return {
    logGroupName: g.name,
    creationTime: g.createdAt,
    retentionInDays: g.retentionDays,
    metricFilterCount: 0,
    arn: `${arns.logGroupArn(g.name)}:*`,
    logGroupArn: arns.logGroupArn(g.name),
    storedBytes: g.storedBytes,
    logGroupClass: 'STANDARD',
  };
}
