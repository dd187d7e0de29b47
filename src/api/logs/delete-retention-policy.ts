// DeleteRetentionPolicy: keep the group's events forever again.
import { z } from 'zod';
import type { LogStore } from '../../logs/index.js';
import { groupNotFound } from './errors.js';
import { groupName, parseBody } from './input.js';
import type { LogsOperation } from './routes.js';

const Input = z.object({ logGroupName: groupName });

export function deleteRetentionPolicy(store: LogStore): LogsOperation {
  return (body) => {
    const input = parseBody(Input, body);
    store.sync();
    if (!store.groups.setRetention(input.logGroupName, undefined)) throw groupNotFound();
    return undefined;
  };
}
