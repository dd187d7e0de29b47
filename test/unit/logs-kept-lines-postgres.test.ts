// START, END and REPORT kept in invocation records on PostgreSQL (src/logs/postgres/platform-events.ts),
// as logs-kept-lines.test.ts checks them on SQLite: fewer rows, and every reader sees exactly what
// it would see if they were rows — same order, pages, streams, requests, time ranges, text search,
// counts — and retried requests and retention treat them as events.
import { afterEach, expect, it } from 'vitest';
import { Postgres } from '../../src/database/index.js';
import { PostgresLogStore, compilePattern } from '../../src/logs/index.js';
import { GROUP, interleave, invocation, records, rid, stream } from '../helpers/kept-lines.js';
import { describePostgres, useTestDatabase } from '../helpers/database.js';

const T0 = Date.now() - 60_000;


describePostgres('platform lines kept in invocation records on PostgreSQL', () => {
  const database = useTestDatabase();
  let opened: { pg: Postgres; store: PostgresLogStore } | undefined;
  afterEach(async () => {
    await opened?.store.close();
    await opened?.pg.close();
    opened = undefined;
  });

  async function open(options = {}): Promise<{ pg: Postgres; store: PostgresLogStore }> {
    const admin = await Postgres.connect(database.url(), { maxConnections: 1 });
    await admin.execute('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await admin.close();
    const pg = await Postgres.connect(database.url());
    opened = { pg, store: await PostgresLogStore.open(pg, { log: () => undefined, ...options }) };
    return opened;
  }

  /** 12 invocations over 3 environments in two batches, and one whose REPORT comes a batch late. */
  async function filled() {
    const { pg, store } = await open();
    const first = [0, 1, 2, 3, 4, 5].map((n) => invocation(rid(n), `e${n % 3}`, T0 + n * 10, n % 3));
    const late = invocation(rid(99), 'e0', T0 + 70, 1);
    const second = [6, 7, 8, 9, 10, 11].map((n) => invocation(rid(n), `e${n % 3}`, T0 + 100 + n * 10, n % 4));
    const batch1 = interleave([...first.map((i) => i.events), late.events.slice(0, 2)]);
    const batch2 = interleave([late.events.slice(2), ...second.map((i) => i.events)]);
    await store.writeBatch(batch1, records(first));
    await store.writeBatch(batch2, records([late, ...second]));
    const all = [...batch1, ...batch2];
    let last = 0;
    const expected = all.map((e) => ({ message: e.message, timestamp: (last = Math.max(last, e.timestamp)) }));
    return { pg, store, all, expected };
  }

  /** Every page of a FilterLogEvents read, `limit` events a page. */
  async function readAll(store: PostgresLogStore, q: { pattern?: string; startTime?: number; endTime?: number; levels?: string[] }, limit = 1000): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await store.filterEvents({ group: GROUP, limit, token, ...q, pattern: q.pattern === undefined ? undefined : compilePattern(q.pattern) });
      out.push(...page.events.map((e) => e.message));
      token = page.nextToken;
    } while (token !== undefined);
    return out;
  }

  it('are stored as fewer rows, and read back as every event in order, whole or page by page', async () => {
    const { pg, store, all, expected } = await filled();
    const [{ n }] = await pg.query<{ n: number }>('SELECT count(*)::bigint AS n FROM log_events') as [{ n: number }];
    // Each of the 12 whole invocations keeps its 3 lines; the late one's are rows.
    expect(n).toBe(all.length - 12 * 3);
    const whole = await store.filterEvents({ group: GROUP, limit: 1000 });
    expect(whole.events.map((e) => ({ message: e.message, timestamp: e.timestamp }))).toEqual(expected);
    const ids = whole.events.map((e) => Number(e.eventId));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const starts = whole.events.filter((e) => e.message.startsWith('START'));
    expect(starts.every((e) => e.level === 'PLATFORM' && e.requestId === e.message.slice(17, 53) && e.logStream.startsWith('2026/01/01/'))).toBe(true);
    for (const limit of [1, 2, 5]) expect(await readAll(store, {}, limit), `pages of ${limit}`).toEqual(expected.map((e) => e.message));
  });

  it('show in each stream, oldest or newest first, and in each request whole', async () => {
    const { store, all } = await filled();
    for (const env of ['e0', 'e1', 'e2']) {
      const mine = all.filter((e) => e.envId === env).map((e) => e.message);
      const asc = await store.getStreamEvents({ group: GROUP, stream: stream(env), limit: 1000, startFromHead: true });
      expect(asc.events.map((e) => e.message)).toEqual(mine);
      const tail = await store.getStreamEvents({ group: GROUP, stream: stream(env), limit: 3, startFromHead: false });
      expect(tail.events.map((e) => e.message)).toEqual(mine.slice(-3));
      const back = await store.getStreamEvents({ group: GROUP, stream: stream(env), limit: 2, startFromHead: false, token: tail.nextBackwardToken });
      expect(back.events.map((e) => e.message)).toEqual(mine.slice(-5, -3));
    }
    for (const n of [0, 5, 11, 99]) {
      const lines = (await store.requestEvents(rid(n), { limit: 100 })).events.map((e) => e.message);
      expect(lines).toEqual(all.filter((e) => e.requestId === rid(n)).map((e) => e.message));
    }
  });

  it('are found by filter patterns, in time ranges, counted, and found by the invocations text search', async () => {
    const { store, expected } = await filled();
    expect(await readAll(store, { pattern: 'REPORT' })).toEqual(expected.map((e) => e.message).filter((m) => m.startsWith('REPORT')));
    const cold = await readAll(store, { pattern: '"Init Duration"' });
    expect(cold.map((m) => m.slice(18, 54))).toEqual([rid(2), rid(5), rid(6), rid(10)]);
    expect(await readAll(store, { levels: ['PLATFORM'] })).toHaveLength(13 * 3);
    // Every time boundary, including ones that fall on a kept line.
    for (const t of new Set(expected.map((e) => e.timestamp))) {
      expect(await readAll(store, { startTime: t }), `from ${t - T0}`).toEqual(expected.filter((e) => e.timestamp >= t).map((e) => e.message));
      expect(await readAll(store, { endTime: t }), `until ${t - T0}`).toEqual(expected.filter((e) => e.timestamp < t).map((e) => e.message));
    }
    const counted = await store.countEvents({ group: GROUP, binMs: 20 });
    const bins = new Map<number, number>();
    for (const e of expected) bins.set(Math.floor(e.timestamp / 20) * 20, (bins.get(Math.floor(e.timestamp / 20) * 20) ?? 0) + 1);
    expect(counted.bins).toEqual([...bins].map(([start, count]) => ({ start, count })));
    for (const group of [GROUP, undefined]) {
      const byText = await store.invocations({ text: { pattern: compilePattern('"END RequestId"'), group }, limit: 50 });
      expect(byText.invocations.map((i) => i.requestId).sort()).toEqual([...Array(12).keys(), 99].map(rid).sort());
    }
    const byFragment = await store.invocations({ text: { pattern: compilePattern('%Init Dur%') }, limit: 50 });
    expect(byFragment.invocations.map((i) => i.requestId).sort()).toEqual([2, 5, 6, 10].map(rid));
  });

  it('of a retried request stay when the retry writes its own', async () => {
    const { store } = await open();
    const first = invocation(rid(1), 'e0', T0, 1, 'error');
    const retry = invocation(rid(1), 'e1', T0 + 1000, 1);
    await store.writeBatch(first.events, records([first]));
    await store.writeBatch(retry.events, records([retry]));
    expect((await store.requestEvents(rid(1), { limit: 100 })).events.map((e) => e.message)).toEqual([...first.events, ...retry.events].map((e) => e.message));
    expect((await store.getInvocation(rid(1)))?.outcome).toBe('success');
  });

  it('go with the group\'s retention, and its stored bytes with them', async () => {
    const { store } = await open({ sweepIntervalMs: 20 });
    const old = invocation(rid(1), 'e0', Date.now() - 3 * 86_400_000, 1);
    const recent = invocation(rid(2), 'e1', Date.now() - 1000, 1);
    await store.writeBatch(old.events, records([old]));
    await store.writeBatch(recent.events, records([recent]));
    const bytes = (events: LogEvent[]) => events.reduce((n, e) => n + e.message.length, 0);
    expect((await store.describeGroup(GROUP))!.storedBytes).toBe(bytes(old.events) + bytes(recent.events));
    await store.setRetention(GROUP, 1);
    const read = async () => (await store.filterEvents({ group: GROUP, limit: 100 })).events.map((e) => e.message);
    // The sweep gives the bytes back just after it deletes (a statement later): wait for both.
    const settled = async () => (await read()).length === 4 && (await store.describeGroup(GROUP))!.storedBytes === bytes(recent.events);
    for (let i = 0; i < 400 && !(await settled()); i++) await new Promise((r) => setTimeout(r, 25));
    expect(await read()).toEqual(recent.events.map((e) => e.message));
    expect((await store.describeGroup(GROUP))!.storedBytes).toBe(bytes(recent.events));
  });
});
