// StartLiveTail: a response stream (`application/vnd.amazon.eventstream`) that opens with a
// `sessionStart` event and then carries `sessionUpdate` events with the log events written since,
// of up to 10 log groups, optionally narrowed to some streams (names or prefixes, one group only)
// and by a filter pattern (the same patterns as FilterLogEvents). Sessions live in live-tail-hub.ts.
import { z } from 'zod';
import { compilePattern, type LogReader } from '../../logs/index.js';
import type { ResponseStream } from '../http.js';
import { groupNotFound, invalidParameter } from './errors.js';
import { groupIdentifier, groupNameOf, parseBody, streamName } from './input.js';
import type { LiveTailHub } from './live-tail-hub.js';
import type { LogsOperation } from './routes.js';

const Input = z.object({
  logGroupIdentifiers: z.array(groupIdentifier).min(1).max(10),
  logStreamNames: z.array(streamName).min(1).max(100).optional(),
  logStreamNamePrefixes: z.array(streamName).min(1).max(100).optional(),
  logEventFilterPattern: z.string().max(1024).optional(),
});

/** What an operation returns to answer with a stream instead of a JSON document. */
export class StreamOutput {
  constructor(readonly stream: (out: ResponseStream) => void) {}
}

export function startLiveTail(store: LogReader, hub: LiveTailHub): LogsOperation {
  return async (body) => {
    const input = parseBody(Input, body);
    if (input.logStreamNames !== undefined && input.logStreamNamePrefixes !== undefined) {
      throw invalidParameter('logStreamNames and logStreamNamePrefixes are mutually exclusive parameters.');
    }
    if ((input.logStreamNames ?? input.logStreamNamePrefixes) !== undefined && input.logGroupIdentifiers.length !== 1) {
      throw invalidParameter('logStreamNames and logStreamNamePrefixes can only be given with exactly one log group in logGroupIdentifiers.');
    }
    const groups = [...new Set(input.logGroupIdentifiers.map((id) => groupNameOf({ logGroupIdentifier: id })))];
    for (const g of groups) if (!(await store.describeGroup(g))) throw groupNotFound();
    const pattern = input.logEventFilterPattern ? compilePattern(input.logEventFilterPattern) : undefined;
    hub.admit();
    const key = JSON.stringify([groups, input.logStreamNames, input.logStreamNamePrefixes, input.logEventFilterPattern ?? '']);
    const filter = { groups, streamNames: input.logStreamNames, streamPrefixes: input.logStreamNamePrefixes, pattern, key };
    const start = {
      logGroupIdentifiers: input.logGroupIdentifiers, logStreamNames: input.logStreamNames,
      logStreamNamePrefixes: input.logStreamNamePrefixes, logEventFilterPattern: input.logEventFilterPattern ?? '',
    };
    return new StreamOutput((out) => hub.open(out, filter, start));
  };
}
