// What every CloudWatch Logs operation needs from its input: the body parsed against a schema,
// the log group it names (by logGroupName or logGroupIdentifier, a name or an ARN). Paging tokens
// are the log store's, passed through as they are.
import { z } from 'zod';
import type { LogReader, GroupView } from '../../logs/index.js';
import { parseBody } from '../lambda/schemas.js';
import { groupNotFound, invalidParameter } from './errors.js';

export { parseBody };

export const groupName = z.string().min(1).max(512).regex(/^[.\-_/#A-Za-z0-9]+$/);
export const groupIdentifier = z.string().min(1).max(2048);
export const streamName = z.string().min(1).max(512).regex(/^[^:*]*$/);
export const timestamp = z.number().int().min(0);

export interface GroupInput {
  readonly logGroupName?: string;
  readonly logGroupIdentifier?: string;
}

/** The group the request names; ResourceNotFoundException when it does not exist. */
export async function requireGroup(store: LogReader, input: GroupInput): Promise<GroupView> {
  const group = await store.describeGroup(groupNameOf(input));
  if (!group) throw groupNotFound();
  return group;
}

export function groupNameOf(input: GroupInput): string {
  if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) {
    throw invalidParameter('LogGroup name and LogGroup identifier are mutually exclusive parameters.');
  }
  const id = input.logGroupIdentifier;
  if (id === undefined) {
    if (input.logGroupName === undefined) throw invalidParameter('Either logGroupName or logGroupIdentifier must be specified.');
    return input.logGroupName;
  }
  // arn:aws:logs:<region>:<account>:log-group:<name>[:*]
  const arn = /^arn:[^:]*:logs:[^:]*:[^:]*:log-group:([^:]+)(?::\*)?$/.exec(id);
  if (id.startsWith('arn:') && !arn) throw invalidParameter(`Invalid log group identifier: ${id}`);
  return arn ? arn[1]! : id;
}
