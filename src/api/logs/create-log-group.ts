// CreateLogGroup: an empty group, optionally tagged, for applications and infrastructure tools
// (Terraform, CDK) that make a function's group before it runs, to set its retention and tags.
// lambkin does not encrypt with KMS keys, so a kmsKeyId is refused rather than ignored.
import { z } from 'zod';
import type { LogReader } from '../../logs/index.js';
import { invalidParameter, LogsError } from './errors.js';
import { groupName, parseBody } from './input.js';
import { tagMap } from './tags.js';
import type { LogsOperation } from './routes.js';

const Input = z.object({
  logGroupName: groupName,
  kmsKeyId: z.string().max(256).optional(),
  tags: tagMap.optional(),
  logGroupClass: z.literal('STANDARD').optional(),
});

export function createLogGroup(store: LogReader): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    if (input.kmsKeyId !== undefined) throw invalidParameter('lambkin does not encrypt log groups with KMS keys; leave kmsKeyId out.');
    if (!(await store.createGroup(input.logGroupName, input.tags ?? {}))) {
      throw new LogsError('ResourceAlreadyExistsException', 'The specified log group already exists');
    }
    return undefined;
  };
}
