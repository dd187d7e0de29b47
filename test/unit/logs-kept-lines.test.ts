// START, END and REPORT kept in invocation records instead of as event rows (platform-events.ts):
// every reader must see exactly what it would see if they were rows — same order, ids, times,
// pages, searches, time ranges — and retention and retried requests must treat them as events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteLogStore, compilePattern } from '../../src/logs/index.js';
import { GROUP, interleave, invocation, records, rid, stream } from '../helpers/kept-lines.js';

const T0 = Date.now() - 60_000;
const dirs: string[] = [];
const stores: SqliteLogStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.closeNow();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(options = {}): { store: SqliteLogStore; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-kept-'));
  dirs.push(dir);
  const store = SqliteLogStore.open(dir, { log: () => undefined, ...options });
  stores.push(store);
  return { store, dir };
}


/** A store with 12 invocations over 3 environments in two batches, and one whose REPORT comes a batch late. */
function filled() {
  const { store, dir } = open();
  const first = [0, 1, 2, 3, 4, 5].map((n) => invocation(rid(n), `e${n % 3}`, T0 + n * 10, n % 3));
  const late = invocation(rid(99), 'e0', T0 + 70, 1);
  const second = [6, 7, 8, 9, 10, 11].map((n) => invocation(rid(n), `e${n % 3}`, T0 + 100 + n * 10, n % 4));
  const batch1 = interleave([...first.map((i) => i.events), late.events.slice(0, 2)]);
  const batch2 = interleave([late.events.slice(2), ...second.map((i) => i.events)]);
  store.writeNow(batch1, records(first));
  store.writeNow(batch2, records([late, ...second]));
  const all = [...batch1, ...batch2];
  // Time order is event order (the writer clamps times so): what every reader must give back.
  let last = 0;
  const expected = all.map((e) => ({ message: e.message, timestamp: (last = Math.max(last, e.timestamp)) }));
  return { store, dir, all, expected, groupId: store.groups.get(GROUP)!.id };
}

describe('platform lines kept in invocation records', () => {
  it('are kept when an invocation goes through the queue whole: one row for a function that prints a line', () => {
    const { store, dir } = open();
    const invs = [1, 2, 3].map((n) => invocation(rid(n), `e${n}`, T0 + n, 1));
    const all = interleave(invs.map((i) => i.events));
    for (const e of all) store.append(e);
    for (const { record } of invs) store.invocation(record);
    store.sync();
    const db = new Database(join(dir, 'logs.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) FROM log_events').pluck().get()).toBe(3);
    db.close();
    const read = store.events.scan({ groupId: store.groups.get(GROUP)!.id, limit: 100 }).events;
    expect(read.map((e) => e.message)).toEqual(all.map((e) => e.message));
  });

  it('are stored as fewer rows, and read back as every event in order, whole or page by page', () => {
    const { store, dir, all, expected, groupId } = filled();
    const db = new Database(join(dir, 'logs.db'), { readonly: true });
    const rows = db.prepare('SELECT count(*) FROM log_events').pluck().get() as number;
    db.close();
    // Each of the 12 whole invocations keeps its 3 lines; the late one's are rows.
    expect(rows).toBe(all.length - 12 * 3);

    const whole = store.events.scan({ groupId, limit: 1000 });
    expect(whole.events.map((e) => ({ message: e.message, timestamp: e.timestamp }))).toEqual(expected);
    expect(whole.events.map((e) => Number(e.eventId))).toEqual([...whole.events.map((e) => Number(e.eventId))].sort((a, b) => a - b));
    const starts = whole.events.filter((e) => e.message.startsWith('START'));
    expect(starts.every((e) => e.level === 'PLATFORM' && e.requestId === e.message.slice(17, 53) && e.logStream.startsWith('2026/01/01/'))).toBe(true);

    for (const limit of [1, 2, 5]) {
      const paged: string[] = [];
      let after: number | undefined;
      for (;;) {
        const page = store.events.scan({ groupId, limit, afterId: after });
        paged.push(...page.events.map((e) => e.message));
        if (page.next === undefined) break;
        after = page.next;
      }
      expect(paged, `pages of ${limit}`).toEqual(expected.map((e) => e.message));
    }
  });

  it('show in each stream, oldest or newest first, and in each request whole', () => {
    const { store, all, groupId } = filled();
    for (const env of ['e0', 'e1', 'e2']) {
      const s = store.groups.stream(groupId, stream(env))!;
      const mine = all.filter((e) => e.envId === env).map((e) => e.message);
      const asc = store.events.streamPage({ streamId: s.id, afterId: 0, beforeId: Number.MAX_SAFE_INTEGER, newestFirst: false, limit: 1000 });
      expect(asc.map((e) => e.message)).toEqual(mine);
      const desc = store.events.streamPage({ streamId: s.id, afterId: 0, beforeId: Number.MAX_SAFE_INTEGER, newestFirst: true, limit: 3 });
      expect(desc.map((e) => e.message)).toEqual(mine.slice(-3).reverse());
      const next = store.events.streamPage({ streamId: s.id, afterId: Number(asc[1]!.eventId), beforeId: Number(asc[6]!.eventId), newestFirst: false, limit: 2 });
      expect(next.map((e) => e.message)).toEqual(mine.slice(2, 4));
    }
    for (const n of [0, 5, 11, 99]) {
      const lines = store.events.byRequest(rid(n))!.events.map((e) => e.message);
      expect(lines).toEqual(all.filter((e) => e.requestId === rid(n)).map((e) => e.message));
    }
  });

  it('are found by filter patterns, in time ranges, and by the invocations text search', () => {
    const { store, expected, groupId } = filled();
    const reports = store.events.scan({ groupId, pattern: compilePattern('REPORT'), limit: 100 }).events.map((e) => e.message);
    expect(reports).toEqual(expected.map((e) => e.message).filter((m) => m.startsWith('REPORT')));
    const cold = store.events.scan({ groupId, pattern: compilePattern('"Init Duration"'), limit: 100 }).events;
    expect(cold.map((e) => e.message.slice(18, 54))).toEqual([rid(2), rid(5), rid(6), rid(10)]);
    const platformOnly = store.events.scan({ groupId, levels: ['PLATFORM'], limit: 1000 }).events;
    expect(platformOnly).toHaveLength(13 * 3);

    // Every time boundary, including ones that fall on a kept line.
    for (const t of new Set(expected.map((e) => e.timestamp))) {
      const from = store.events.scan({ groupId, startTime: t, limit: 1000 }).events.map((e) => e.message);
      expect(from, `from ${t - T0}`).toEqual(expected.filter((e) => e.timestamp >= t).map((e) => e.message));
      const until = store.events.scan({ groupId, endTime: t, limit: 1000 }).events.map((e) => e.message);
      expect(until, `until ${t - T0}`).toEqual(expected.filter((e) => e.timestamp < t).map((e) => e.message));
    }

    const byText = store.investigation.list({ text: { pattern: compilePattern('"END RequestId"'), groupId }, limit: 50 });
    expect(byText.invocations.map((i) => i.requestId).sort()).toEqual([...Array(12).keys(), 99].map(rid).sort());
  });

  it('of a retried request stay when the retry writes its own', () => {
    const { store } = open();
    const first = invocation(rid(1), 'e0', T0, 1, 'error');
    const retry = invocation(rid(1), 'e1', T0 + 1000, 1);
    store.writeNow(first.events, records([first]));
    store.writeNow(retry.events, records([retry]));
    expect(store.events.byRequest(rid(1))!.events.map((e) => e.message)).toEqual([...first.events, ...retry.events].map((e) => e.message));
    expect(store.investigation.get(rid(1))?.outcome).toBe('success');
  });

  it('go with the group\'s retention, and its stored bytes with them', async () => {
    const { store } = open({ sweepIntervalMs: 20 });
    const old = invocation(rid(1), 'e0', Date.now() - 3 * 86_400_000, 1);
    const recent = invocation(rid(2), 'e1', Date.now() - 1000, 1);
    store.writeNow(old.events, records([old]));
    store.writeNow(recent.events, records([recent]));
    const bytes = (events: LogEvent[]) => events.reduce((n, e) => n + e.message.length, 0);
    expect(store.groups.get(GROUP)!.storedBytes).toBe(bytes(old.events) + bytes(recent.events));
    store.groups.setRetention(GROUP, 1);
    const groupId = store.groups.get(GROUP)!.id;
    for (let i = 0; i < 200 && store.events.scan({ groupId, limit: 100 }).events.length > 4; i++) await new Promise((r) => setTimeout(r, 25));
    expect(store.events.scan({ groupId, limit: 100 }).events.map((e) => e.message)).toEqual(recent.events.map((e) => e.message));
    expect(store.groups.get(GROUP)!.storedBytes).toBe(bytes(recent.events));
  });
});
