// PutRetentionPolicy: keep a group's events this many days; the store's retention sweep deletes older ones.
import { z } from 'zod';
import type { LogReader } from '../../logs/index.js';
import { groupNotFound, invalidParameter } from './errors.js';
import { groupName, parseBody } from './input.js';
import type { LogsOperation } from './routes.js';

/** The values CloudWatch Logs accepts (botocore logs-2014-03-28, shape Days). */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const Input = z.object({ logGroupName: groupName, retentionInDays: z.number().int() });

export function putRetentionPolicy(store: LogReader): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    if (!RETENTION_DAYS.includes(input.retentionInDays)) {
      throw invalidParameter(
        `1 validation error detected: Value '${input.retentionInDays}' at 'retentionInDays' failed to satisfy constraint: ` +
          `Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
      );
    }
    if (!(await store.setRetention(input.logGroupName, input.retentionInDays))) throw groupNotFound();
    return undefined;
  };
}
