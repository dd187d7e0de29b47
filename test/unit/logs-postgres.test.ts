// What the PostgreSQL log store promises beyond the shared conformance suite (which it passes:
// test/conformance/log-store-postgres.test.ts): several nodes writing one database keep one order
// a follower can rely on, any text a function prints comes back exactly, and a line with more
// words than a block's index holds is still found, and the index of text inside words fills itself.
import { afterEach, expect, it } from 'vitest';
import { Postgres } from '../../src/database/index.js';
import { PostgresLogStore, compilePattern, type LogEvent } from '../../src/logs/index.js';
import { describePostgres, useTestDatabase } from '../helpers/database.js';

const T = Date.now() - 60_000;
const GROUP = '/aws/lambda/pg';
const event = (message: string, env = 'e1', timestamp = T): LogEvent =>
  ({ timestamp, group: GROUP, stream: `2026/01/01/[$LATEST]${env.padStart(32, '0')}`, envId: env, requestId: undefined, level: 'INFO', message });

describePostgres('log store on PostgreSQL', () => {
  const database = useTestDatabase();
  const open: { pg: Postgres; store: PostgresLogStore }[] = [];
  const node = async () => {
    const pg = await Postgres.connect(database.url());
    const store = await PostgresLogStore.open(pg, { log: () => undefined, flushDelayMs: 5 });
    open.push({ pg, store });
    return store;
  };
  afterEach(async () => {
    for (const { pg, store } of open.splice(0)) {
      await store.close();
      await pg.close();
    }
    const admin = await Postgres.connect(database.url(), { maxConnections: 1 });
    await admin.execute('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await admin.close();
  });

  it('two nodes writing one group: a follower polling from its position sees every event once, each node\'s in its order, times never going back', async () => {
    const [a, b] = [await node(), await node()];
    const seen: { message: string; timestamp: number }[] = [];
    let position: string | undefined;
    const follow = async () => {
      const page = await a.filterEvents({ group: GROUP, limit: 10_000, token: position });
      seen.push(...page.events);
      position = page.position;
    };
    for (let i = 0; i < 600; i++) {
      a.append(event(`a ${i}`, 'a', T + i));
      b.append(event(`b ${i}`, 'b', T + 600 - i)); // b's clock runs backwards: clamped, never before what is stored
      if (i % 50 === 0) await Promise.all([follow(), b.flush()]);
    }
    await Promise.all([a.flush(), b.flush()]);
    await follow();
    const messages = seen.map((e) => e.message);
    expect(new Set(messages).size).toBe(messages.length);
    expect(messages.filter((m) => m.startsWith('a '))).toEqual(Array.from({ length: 600 }, (_, i) => `a ${i}`));
    expect(messages.filter((m) => m.startsWith('b '))).toEqual(Array.from({ length: 600 }, (_, i) => `b ${i}`));
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.timestamp).toBeGreaterThanOrEqual(seen[i - 1]!.timestamp);
  });

  it('gives back any text a function prints (NUL, emoji) exactly, and finds it by its words', async () => {
    const store = await node();
    const odd = 'binary\u0000junk 🐑 caf\u00e9 end';
    store.append(event(odd));
    store.append(event('plain'));
    const { events } = await store.filterEvents({ group: GROUP, pattern: compilePattern('junk'), limit: 10 });
    expect(events.map((e) => e.message)).toEqual([odd]);
    const page = await store.getStreamEvents({ group: GROUP, stream: events[0]!.logStream, limit: 10, startFromHead: true });
    expect(page.events.map((e) => e.message)).toEqual([odd, 'plain']);
    expect(await store.describeGroup(GROUP)).toMatchObject({ storedBytes: odd.length + 'plain'.length });
  });

  it('finds a word in a line with more distinct words than a block indexes', async () => {
    const store = await node();
    const words = Array.from({ length: 45_000 }, (_, i) => `w${i.toString(36)}x`);
    await store.writeBatch([event('before'), event(words.join(' ')), event('after')]);
    const found = await store.filterEvents({ group: GROUP, pattern: compilePattern(words.at(-1)!), limit: 10 });
    expect(found.events.map((e) => e.message.length)).toEqual([words.join(' ').length]);
    expect((await store.filterEvents({ group: GROUP, pattern: compilePattern('after'), limit: 10 })).events.map((e) => e.message)).toEqual(['after']);
  });

  it('fills the index of text inside words by itself once the writer is idle, and drops its rows with their blocks', async () => {
    const store = await node();
    const upto = async () => Number((await open[0]!.pg.query<{ upto: number }>('SELECT upto FROM log_infix_upto'))[0]!.upto);
    const rows = async () => Number((await open[0]!.pg.query<{ n: number }>('SELECT count(*)::int AS n FROM log_block_infix'))[0]!.n);
    await store.writeBatch(Array.from({ length: 200 }, (_, i) => event(`line ${i} unrarely${i}`)));
    const newest = Number((await open[0]!.pg.query<{ id: number }>('SELECT max(first_id) AS id FROM log_blocks'))[0]!.id);
    await expect.poll(upto, { timeout: 30_000, interval: 100 }).toBe(newest);
    expect(await rows()).toBeGreaterThan(1);
    await store.deleteGroup(GROUP);
    await expect.poll(rows, { timeout: 30_000, interval: 100 }).toBe(0);
  });
});
