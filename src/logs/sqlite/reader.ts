// The read side of the SQLite log store (LogReader, ../store.ts): each operation turns names and
// tokens into this store's ids and keyset positions (tokens.ts), runs the query (groups.ts,
// event-reader.ts, investigation.ts) and answers with views. Each read first writes what is queued
// (sync(), bounded), so that a caller reads what it just caused. SQLite answers synchronously;
// the operations are async only because the interface is.
import type { LogDatabase } from './schema.js';
import { LogGroups, type GroupRecord } from './groups.js';
import { EventReader } from './event-reader.js';
import { EventCounter } from './event-counts.js';
import { Investigation } from './investigation.js';
import { decodeDirection, decodeId, decodeJson, encodeId, encodeJson, isGroupAfter, isStreamAfter, isTimeSeq, streamEventsPage, streamWindow } from '../paging-tokens.js';
import {
  LogStoreError, type ErrorGroupPage, type ErrorGroupQuery, type EventCountPage, type EventCountQuery, type EventPage, type EventQuery, type GroupPage, type GroupQuery,
  type InvocationPage, type InvocationQuery, type LogReader, type RecordPage, type RequestEventsPage, type StreamEventsPage,
  type StreamEventsQuery, type StreamPage, type StreamQuery,
} from '../store.js';
import type { Batch } from '../write-queue.js';
import type { WrittenOptions } from '../store.js';
import type { PutSubscriptionResult, SubscriptionFilter } from '../subscriptions.js';
import { SubscriptionTable } from './subscriptions.js';
import { SqlitePutEvents } from './put-events.js';
import { countMerged, filterMerged, isPutToken, putBatch, putStreamEvents, type PutEvent, type PutOutcome } from '../put-events.js';
import type { GroupView, InvocationView, Stats, StreamView } from '../views.js';

export abstract class SqliteLogReader implements LogReader {
  /** The store's parts (its own unit tests reach into them; callers use the interface). */
  readonly groups: LogGroups;
  private readonly subscriptions: SubscriptionTable;
  readonly events: EventReader;
  readonly investigation: Investigation;
  private readonly counter: EventCounter;
  private readonly put: SqlitePutEvents;

  constructor(db: LogDatabase) {
    this.events = new EventReader(db);
    this.counter = new EventCounter(db, this.events);
    this.groups = new LogGroups(db, () => this.deleted());
    this.subscriptions = new SubscriptionTable(db);
    this.investigation = new Investigation(db);
    this.put = new SqlitePutEvents(db);
  }

  /** Write what is queued, within a bounded time. */
  abstract sync(): void;
  /** A group was deleted (its rows went behind the writer's caches). */
  protected abstract deleted(): void;
  abstract onWritten(listener: (batch: Batch) => void, options?: WrittenOptions): () => void;
  /** Tell onWritten's listeners of events a client put. */
  protected abstract putWritten(batch: Batch): void;

  async flush(): Promise<void> {
    this.sync();
  }

  async describeGroup(name: string): Promise<GroupView | undefined> {
    this.sync();
    const g = this.groups.get(name);
    return g && groupView(g);
  }

  async describeGroups(q: GroupQuery): Promise<GroupPage> {
    const after = decodeJson(q.token, isGroupAfter)?.n;
    this.sync();
    const { groups, more } = this.groups.list({ prefix: q.prefix, contains: q.contains, after, limit: q.limit });
    const last = groups[groups.length - 1];
    return { groups: groups.map(groupView), nextToken: more && last ? encodeJson({ n: last.name }) : undefined };
  }

  async describeStreams(group: string, q: StreamQuery): Promise<StreamPage> {
    const after = decodeJson(q.token, isStreamAfter);
    this.sync();
    const g = this.requireGroup(group);
    const { streams, more } = this.groups.streams(g.id, {
      prefix: q.prefix, orderBy: q.orderBy, descending: q.descending, limit: q.limit,
      after: after && { name: after.name, lastEvent: after.lastEvent, id: after.id },
    });
    const last = streams[streams.length - 1];
    return {
      streams: streams.map(({ id: _id, ...s }): StreamView => s),
      nextToken: more && last ? encodeJson({ name: last.name, lastEvent: last.lastEvent ?? 0, id: last.id }) : undefined,
    };
  }

  async getStreamEvents(q: StreamEventsQuery): Promise<StreamEventsPage> {
    const given = isPutToken(q.token) ? undefined : decodeDirection(q.token);
    this.sync();
    const g = this.requireGroup(q.group);
    const stream = this.groups.stream(g.id, q.stream);
    if (!stream) throw new LogStoreError('StreamNotFound', `The log stream ${q.stream} does not exist.`);
    if (await this.put.isPutStream(stream.id)) return putStreamEvents(this.put, g.id, stream.id, q);
    if (isPutToken(q.token)) throw new LogStoreError('InvalidToken', 'The token is not one of this stream\'s.');
    const w = streamWindow(this.events.idRange(q.startTime, q.endTime), given, q);
    const events = w.after + 1 < w.before
      ? this.events.streamPage({ streamId: stream.id, afterId: w.after, beforeId: w.before, newestFirst: !w.readUp, limit: q.limit })
      : [];
    return streamEventsPage(events, w);
  }

  async filterEvents(q: EventQuery): Promise<EventPage> {
    if (!isPutToken(q.token)) decodeId(q.token); // a token this store did not hand out is refused before anything
    this.sync();
    const g = this.groups.get(q.group);
    const nothing = { events: [], nextToken: undefined, position: isPutToken(q.token) ? q.token! : encodeId(decodeId(q.token) ?? 0) };
    if (!g) return nothing;
    const streamIds = q.streamNames !== undefined || q.streamPrefix !== undefined ? this.groups.streamIds(g.id, q.streamNames, q.streamPrefix) : undefined;
    if (streamIds?.length === 0) return nothing;
    const scan = (token: string | undefined): EventPage => {
      const r = this.events.scan({
        groupId: g.id, streamIds, startTime: q.startTime, endTime: q.endTime, pattern: q.pattern, levels: q.levels, afterId: decodeId(token), limit: q.limit,
      });
      return { events: r.events, nextToken: r.next === undefined ? undefined : encodeId(r.next), position: encodeId(r.position) };
    };
    // Put events have no level: a read of some levels reads none of them.
    if (q.levels !== undefined || !(isPutToken(q.token) || (await this.put.hasStreams(g.id)))) return scan(q.token);
    return filterMerged(this.put, q, g.id, streamIds, async (token) => scan(token));
  }

  async countEvents(q: EventCountQuery): Promise<EventCountPage> {
    const afterId = decodeId(q.token);
    this.sync();
    const g = this.groups.get(q.group);
    if (!g) return { bins: [], nextToken: undefined };
    const r = this.counter.count({ groupId: g.id, startTime: q.startTime, endTime: q.endTime, binMs: q.binMs, afterId });
    const page = { bins: r.bins, nextToken: r.next === undefined ? undefined : encodeId(r.next) };
    // Put events' bins come with the last page (put-events.ts): only then is it worth asking.
    return page.nextToken === undefined && (await this.put.hasStreams(g.id)) ? countMerged(this.put, g.id, q.startTime, q.endTime, q.binMs, page) : page;
  }

  async requestEvents(requestId: string, q: { readonly limit: number; readonly token?: string }): Promise<RequestEventsPage> {
    const after = decodeId(q.token) ?? 0;
    this.sync();
    const page = this.events.byRequest(requestId, after, q.limit) ?? { events: [], more: false };
    const last = page.events[page.events.length - 1];
    // An event id here is its decimal row id: the position after it.
    return { events: page.events, nextToken: page.more && last ? encodeId(Number(last.eventId)) : undefined };
  }

  async getInvocation(requestId: string): Promise<InvocationView | undefined> {
    this.sync();
    return this.investigation.get(requestId);
  }

  async invocations(q: InvocationQuery): Promise<InvocationPage> {
    const after = decodeJson(q.token, isTimeSeq);
    this.sync();
    // Text in one group only: a group that does not exist matches nothing (-1 is no group's id).
    const text = q.text && { pattern: q.text.pattern, groupId: q.text.group === undefined ? undefined : (this.groups.get(q.text.group)?.id ?? -1) };
    const page = this.investigation.list({ ...q, text, after: after && { startedAt: after.t, seq: after.s } });
    return {
      invocations: page.invocations.map(({ seq: _seq, ...view }) => view),
      nextToken: page.next && encodeJson({ t: page.next.startedAt, s: page.next.seq }),
    };
  }

  async errorGroups(q: ErrorGroupQuery): Promise<ErrorGroupPage> {
    const after = decodeJson(q.token, isTimeSeq);
    this.sync();
    const page = this.investigation.errorPage({ ...q, after: after && { lastSeen: after.t, seq: after.s } });
    return { errors: page.errors, nextToken: page.next && encodeJson({ t: page.next.lastSeen, s: page.next.seq }) };
  }

  async stats(q: { readonly functionName: string; readonly since?: number; readonly until?: number }): Promise<Stats> {
    this.sync();
    return this.investigation.stats(q);
  }

  /** Not synced first: the rollups see what is written meanwhile through onWritten. */
  async scanRecords(q: { readonly since: number; readonly limit: number; readonly token?: string }): Promise<RecordPage> {
    const after = decodeJson(q.token, isTimeSeq);
    const rows = this.investigation.scan(q.since, after && { startedAt: after.t, seq: after.s }, q.limit + 1);
    const shown = rows.slice(0, q.limit);
    const last = shown[shown.length - 1];
    return {
      records: shown.map(({ seq: _seq, ...r }) => r),
      nextToken: rows.length > q.limit && last ? encodeJson({ t: last.startedAt, s: last.seq }) : undefined,
    };
  }

  async setRetention(group: string, days: number | undefined): Promise<boolean> {
    this.sync();
    return this.groups.setRetention(group, days);
  }

  async createGroup(name: string, tags: Readonly<Record<string, string>> = {}): Promise<boolean> {
    this.sync(); // a group that queued events are about to make exists already
    return this.groups.create(name, tags, Date.now());
  }

  async groupTags(name: string): Promise<Record<string, string> | undefined> {
    this.sync();
    return this.groups.tags(name);
  }

  async tagGroup(name: string, set: Readonly<Record<string, string>>, remove: readonly string[] = []): Promise<boolean> {
    this.sync();
    return this.groups.retag(name, set, remove);
  }

  async deleteGroup(group: string): Promise<boolean> {
    this.sync(); // what is queued for the group goes with it, instead of making it anew
    const g = this.groups.get(group);
    if (g) this.put.purgeGroup(g.id);
    return this.groups.delete(group);
  }

  async createStream(group: string, stream: string): Promise<PutOutcome> {
    this.sync(); // a group that queued events are about to make exists already
    return this.put.create(group, stream, Date.now());
  }

  async deleteStream(group: string, stream: string): Promise<PutOutcome> {
    return this.put.delete(group, stream);
  }

  async putEvents(group: string, stream: string, events: readonly PutEvent[]): Promise<PutOutcome> {
    const outcome = this.put.append(group, stream, events, Date.now());
    if (typeof outcome === 'string') return outcome;
    if (events.length > 0) this.putWritten(putBatch(group, stream, events, outcome.first));
    return 'done';
  }

  async putSubscriptionFilter(filter: Omit<SubscriptionFilter, 'createdAt'>): Promise<PutSubscriptionResult> {
    this.sync(); // a group that queued events are about to make exists already
    return this.subscriptions.put(filter, Date.now());
  }

  async subscriptionFilters(group?: string): Promise<SubscriptionFilter[] | undefined> {
    return this.subscriptions.list(group);
  }

  async deleteSubscriptionFilter(group: string, name: string): Promise<boolean> {
    return this.subscriptions.delete(group, name);
  }

  private requireGroup(name: string): GroupRecord {
    const g = this.groups.get(name);
    if (!g) throw new LogStoreError('GroupNotFound', `The log group ${name} does not exist.`);
    return g;
  }
}

function groupView({ id: _id, ...g }: GroupRecord): GroupView {
  return g;
}
