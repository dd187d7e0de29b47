// DeleteLogGroup: the group, its streams and events are gone at once for every reader; the
// events are purged from disk in the background. A function that logs again gets a new group.
import { z } from 'zod';
import type { LogReader } from '../../logs/index.js';
import { groupNotFound } from './errors.js';
import { groupName, parseBody } from './input.js';
import type { LogsOperation } from './routes.js';

const Input = z.object({ logGroupName: groupName });

export function deleteLogGroup(store: LogReader): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    if (!(await store.deleteGroup(input.logGroupName))) throw groupNotFound();
    return undefined;
  };
}
