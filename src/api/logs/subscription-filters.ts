// PutSubscriptionFilter, DescribeSubscriptionFilters, DeleteSubscriptionFilter: a log group's
// filters that send its matching events to a Lambda function (subscription-delivery.ts delivers).
// As CloudWatch Logs: at most 2 filters per group, a put of an existing name replaces it, the
// destination must exist. Only Lambda functions are destinations here (no Kinesis, Firehose or
// Logs destinations: lambkin has none of them).
import { z } from 'zod';
import { compilePattern, MAX_SUBSCRIPTION_FILTERS, type LogReader, type SubscriptionFilter } from '../../logs/index.js';
import { groupNotFound, invalidParameter, LogsError } from './errors.js';
import { groupName, parseBody } from './input.js';
import { lambdaDestination, type SubscriptionDelivery } from './subscription-delivery.js';
import type { LogsOperation } from './routes.js';

const filterName = z.string().min(1).max(512).regex(/^[^:*]*$/);

const PutInput = z.object({
  logGroupName: groupName,
  filterName,
  filterPattern: z.string().max(1024),
  destinationArn: z.string().min(1).max(2048),
  roleArn: z.string().max(2048).optional(),
  distribution: z.enum(['Random', 'ByLogStream']).optional(),
  applyOnTransformedLogs: z.boolean().optional(),
  fieldSelectionCriteria: z.string().max(2000).optional(),
  emitSystemFields: z.array(z.string().max(64)).max(10).optional(),
});

const DescribeInput = z.object({
  logGroupName: groupName,
  filterNamePrefix: filterName.optional(),
  nextToken: z.string().max(1024).optional(),
  limit: z.number().int().min(1).max(50).optional(),
});

const DeleteInput = z.object({ logGroupName: groupName, filterName });

export interface SubscriptionDeps {
  readonly store: LogReader;
  readonly delivery: SubscriptionDelivery;
  /** Whether a function of this name exists (the destination must). */
  readonly functionExists: (name: string) => boolean;
}

export function subscriptionFilterOperations(deps: SubscriptionDeps): Record<string, LogsOperation> {
  return {
    PutSubscriptionFilter: async (body) => {
      const input = parseBody(PutInput, body);
      const dest = lambdaDestination(input.destinationArn);
      if (!dest) throw invalidParameter(`lambkin delivers subscriptions to Lambda functions only; destinationArn must be arn:aws:lambda:<region>:<account>:function:<name> (got ${input.destinationArn}).`);
      if (!deps.functionExists(dest.name)) throw invalidParameter(`Could not deliver a test message to the destination: function ${dest.name} does not exist.`);
      compilePattern(input.filterPattern); // a bad pattern is refused now, not at delivery
      const result = await deps.store.putSubscriptionFilter({ group: input.logGroupName, name: input.filterName, pattern: input.filterPattern, destinationArn: input.destinationArn });
      if (result === 'GroupNotFound') throw groupNotFound();
      if (result === 'LimitExceeded') throw new LogsError('LimitExceededException', `Resource limit exceeded: a log group has at most ${MAX_SUBSCRIPTION_FILTERS} subscription filters; delete one or put one of the same name to replace it.`);
      await deps.delivery.reload();
      return undefined;
    },
    DescribeSubscriptionFilters: async (body) => {
      const input = parseBody(DescribeInput, body);
      const all = await deps.store.subscriptionFilters(input.logGroupName);
      if (!all) throw groupNotFound();
      const matching = all.filter((f) => input.filterNamePrefix === undefined || f.name.startsWith(input.filterNamePrefix));
      const after = input.nextToken;
      const from = after === undefined ? 0 : matching.findIndex((f) => f.name > after);
      const page = from < 0 ? [] : matching.slice(from, from + (input.limit ?? 50));
      const more = from >= 0 && from + page.length < matching.length;
      return { subscriptionFilters: page.map(toWire), nextToken: more ? page[page.length - 1]!.name : undefined };
    },
    DeleteSubscriptionFilter: async (body) => {
      const input = parseBody(DeleteInput, body);
      if (!(await deps.store.describeGroup(input.logGroupName))) throw groupNotFound();
      if (!(await deps.store.deleteSubscriptionFilter(input.logGroupName, input.filterName))) {
        throw new LogsError('ResourceNotFoundException', 'The specified subscription filter does not exist.');
      }
      await deps.delivery.reload();
      return undefined;
    },
  };
}

function toWire(f: SubscriptionFilter): object {
  return {
    filterName: f.name, logGroupName: f.group, filterPattern: f.pattern, destinationArn: f.destinationArn,
    distribution: 'ByLogStream', creationTime: f.createdAt,
  };
}
