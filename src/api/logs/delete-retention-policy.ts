// DeleteRetentionPolicy: keep the group's events forever again.
import { z } from 'zod';
import type { LogReader } from '../../logs/index.js';
import { groupNotFound } from './errors.js';
import { groupName, parseBody } from './input.js';
import type { LogsOperation } from './routes.js';

const Input = z.object({ logGroupName: groupName });

export function deleteRetentionPolicy(store: LogReader): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    if (!(await store.setRetention(input.logGroupName, undefined))) throw groupNotFound();
    return undefined;
  };
}
