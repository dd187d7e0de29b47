// GetLogGroupFields: the fields of a group's events around a time (epoch seconds; default now) and
// the share of events that have each — what a query can name.
import { z } from 'zod';
import type { LogReader } from '../../../logs/index.js';
import { logGroupFields } from '../../../logs/insights/index.js';
import { groupIdentifier, groupName, parseBody, requireGroup } from '../input.js';
import type { LogsOperation } from '../routes.js';

const Input = z.object({
  logGroupName: groupName.optional(),
  logGroupIdentifier: groupIdentifier.optional(),
  time: z.number().int().min(0).max(1e11).optional(),
});

export function getLogGroupFields(store: LogReader): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    const group = await requireGroup(store, input);
    const time = input.time === undefined ? Date.now() : input.time * 1000 + 999;
    return { logGroupFields: await logGroupFields(store, group.name, time) };
  };
}
