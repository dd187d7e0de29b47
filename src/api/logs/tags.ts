// Tags of log groups: TagResource / UntagResource / ListTagsForResource (by the group's ARN) and
// the older TagLogGroup / UntagLogGroup / ListTagsLogGroup (by name). At most MAX_TAGS per group
// (TooManyTagsException past it); keys starting with `aws:` are AWS's own and refused.
import { z } from 'zod';
import type { LogReader } from '../../logs/index.js';
import { groupNotFound, invalidParameter, LogsError } from './errors.js';
import { groupName, parseBody } from './input.js';
import type { LogsOperation } from './routes.js';

const MAX_TAGS = 50;
const tagKey = z.string().min(1).max(128).regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u);
const tagValue = z.string().max(256).regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
export const tagMap = z.record(tagKey, tagValue).refine((m) => Object.keys(m).length >= 1 && Object.keys(m).length <= MAX_TAGS, `between 1 and ${MAX_TAGS} tags`);
const resourceArn = z.string().min(1).max(1011);

/** The group a resource ARN names: arn:aws:logs:<region>:<account>:log-group:<name>[:*]. */
function groupOfArn(arn: string): string {
  const m = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:([.\-_/#A-Za-z0-9]+)(?::\*)?$/.exec(arn);
  if (!m) throw invalidParameter(`${arn} is not the ARN of a log group (arn:aws:logs:<region>:<account>:log-group:<name>); lambkin tags log groups only.`);
  return m[1]!;
}

async function retag(store: LogReader, group: string, set: Readonly<Record<string, string>>, remove: readonly string[]): Promise<undefined> {
  const reserved = Object.keys(set).find((k) => k.toLowerCase().startsWith('aws:'));
  if (reserved) throw invalidParameter(`Tag keys starting with aws: are reserved for AWS: ${reserved}`);
  const now = await store.groupTags(group);
  if (!now) throw groupNotFound();
  const after = new Set([...Object.keys(now), ...Object.keys(set)].filter((k) => !remove.includes(k) || Object.hasOwn(set, k)));
  if (after.size > MAX_TAGS) throw new LogsError('TooManyTagsException', `A log group can have at most ${MAX_TAGS} tags; it would have ${after.size}.`);
  if (!(await store.tagGroup(group, set, remove))) throw groupNotFound();
  return undefined;
}

async function tagsOf(store: LogReader, group: string): Promise<{ tags: Record<string, string> }> {
  const tags = await store.groupTags(group);
  if (!tags) throw groupNotFound();
  return { tags };
}

export function tagOperations(store: LogReader): Record<string, LogsOperation> {
  return {
    TagResource: async (body) => {
      const input = parseBody(z.object({ resourceArn, tags: tagMap }), body);
      return retag(store, groupOfArn(input.resourceArn), input.tags, []);
    },
    UntagResource: async (body) => {
      const input = parseBody(z.object({ resourceArn, tagKeys: z.array(tagKey).max(MAX_TAGS) }), body);
      return retag(store, groupOfArn(input.resourceArn), {}, input.tagKeys);
    },
    ListTagsForResource: async (body) => tagsOf(store, groupOfArn(parseBody(z.object({ resourceArn }), body).resourceArn)),
    TagLogGroup: async (body) => {
      const input = parseBody(z.object({ logGroupName: groupName, tags: tagMap }), body);
      return retag(store, input.logGroupName, input.tags, []);
    },
    UntagLogGroup: async (body) => {
      const input = parseBody(z.object({ logGroupName: groupName, tags: z.array(tagKey).min(1).max(MAX_TAGS) }), body);
      return retag(store, input.logGroupName, {}, input.tags);
    },
    ListTagsLogGroup: async (body) => tagsOf(store, parseBody(z.object({ logGroupName: groupName }), body).logGroupName),
  };
}
