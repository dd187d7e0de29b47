// GetLogEvents: one stream's events, oldest first within a page. Without a token the page is the
// newest `limit` events (or the oldest, with startFromHead). Tokens: `f/<id>` = after event id,
// `b/<id>` = before event id. At the end of the stream the token passed in comes back unchanged:
// SDK paginators and `tail`-style followers stop (or wait) on that.
import { z } from 'zod';
import type { LogStore, StoredEvent } from '../../logs/index.js';
import { invalidParameter, streamNotFound } from './errors.js';
import { groupIdentifier, groupName, parseBody, requireGroup, streamName, timestamp } from './input.js';
import type { LogsOperation } from './routes.js';

const Input = z.object({
  logGroupName: groupName.optional(),
  logGroupIdentifier: groupIdentifier.optional(),
  logStreamName: streamName,
  startTime: timestamp.optional(),
  endTime: timestamp.optional(),
  nextToken: z.string().optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  startFromHead: z.boolean().optional(),
  unmask: z.boolean().optional(),
});

const token = (dir: 'f' | 'b', id: number) => `${dir}/${String(id).padStart(20, '0')}`;

export function getLogEvents(store: LogStore): LogsOperation {
  return (body) => {
    const input = parseBody(Input, body);
    store.sync();
    const group = requireGroup(store, input);
    const stream = store.groups.stream(group.id, input.logStreamName);
    if (!stream) throw streamNotFound();
    const range = store.events.idRange(input.startTime, input.endTime);
    const limit = input.limit ?? 10_000;
    const given = parseToken(input.nextToken);
    let after = range.after;
    let before = range.before;
    if (given?.dir === 'f') after = Math.max(after, given.id);
    if (given?.dir === 'b') before = Math.min(before, given.id);
    // Forward pages read up from `after`; backward pages (and the first page from the tail) read
    // down from `before`, then turn round.
    const readUp = given ? given.dir === 'f' : input.startFromHead === true;
    const events = after + 1 < before
      ? store.events.streamPage({ streamId: stream.id, afterId: after, beforeId: before, newestFirst: !readUp, limit })
      : [];
    if (!readUp) events.reverse();
    const first = events[0];
    const last = events[events.length - 1];
    let nextForwardToken: string;
    let nextBackwardToken: string;
    if (first && last) {
      nextForwardToken = token('f', last.eventId);
      nextBackwardToken = token('b', first.eventId);
    } else if (given) {
      nextForwardToken = given.dir === 'f' ? input.nextToken! : token('f', given.id - 1);
      nextBackwardToken = given.dir === 'b' ? input.nextToken! : token('b', given.id + 1);
    } else {
      // Nothing in range: both tokens point at the start of the range, where new events appear.
      nextForwardToken = token('f', after);
      nextBackwardToken = token('b', after + 1);
    }
    return { events: events.map(toWire), nextForwardToken, nextBackwardToken };
  };
}

function parseToken(t: string | undefined): { dir: 'f' | 'b'; id: number } | undefined {
  if (t === undefined) return undefined;
  const m = /^([fb])\/(\d{1,20})$/.exec(t);
  if (!m) throw invalidParameter('The specified nextToken is invalid.');
  return { dir: m[1] as 'f' | 'b', id: Number(m[2]) };
}

function toWire(e: StoredEvent): object {
  return { timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime };
}
