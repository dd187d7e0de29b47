// Data folders made before the async queue and the console store had migration steps (their
// tables made with CREATE TABLE IF NOT EXISTS, PRAGMA user_version left at 0) open with the one
// runner (src/database/migrate.ts): what they hold is still there, and they are at version 1 after.
// The log store and the registry always kept their version in user_version: the runner reads it
// the same way, so a file at their current version runs no step again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { SqliteAsyncQueue } from '../../src/scheduler/async-queue-sqlite.js';
import { SqliteConsoleStore } from '../../src/api/console-api/sqlite-store.js';
import { SqliteLogStore } from '../../src/logs/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lambkin-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file as the earlier lambkin left it: `sql` run, user_version untouched (0). */
function legacy(name: string, sql: string): string {
  const path = join(dir, name);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(sql);
  db.close();
  return path;
}

function version(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

it('an async.db without a schema version keeps its pending events and dead letters', async () => {
  const path = legacy('async.db', `
    CREATE TABLE events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, function TEXT NOT NULL, qualifier TEXT NOT NULL,
      payload BLOB NOT NULL, enqueued_at INTEGER NOT NULL, attempts INTEGER NOT NULL, next_at INTEGER NOT NULL) STRICT;
    CREATE TABLE dead_letters (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, function TEXT NOT NULL, qualifier TEXT NOT NULL,
      payload BLOB NOT NULL, enqueued_at INTEGER NOT NULL, failed_at INTEGER NOT NULL, attempts INTEGER NOT NULL,
      condition TEXT NOT NULL, error_type TEXT, error_message TEXT) STRICT;
    CREATE INDEX dead_letters_by_function ON dead_letters (function, seq);
    CREATE TABLE dead_letter_drops (function TEXT PRIMARY KEY, dropped INTEGER NOT NULL) STRICT;
    INSERT INTO events (id, function, qualifier, payload, enqueued_at, attempts, next_at) VALUES ('req-1', 'f', '', X'7B7D', 1, 0, 1);
    INSERT INTO dead_letters (id, function, qualifier, payload, enqueued_at, failed_at, attempts, condition)
      VALUES ('req-0', 'f', '', X'5B5D', 1, 2, 3, 'RetriesExhausted');`);
  const queue = SqliteAsyncQueue.open(path);
  try {
    expect((await queue.pending()).map((e) => [e.id, e.functionName])).toEqual([['req-1', 'f']]);
    expect((await queue.deadLetters('f')).letters.map((l) => [l.id, l.payload.toString()])).toEqual([['req-0', '[]']]);
  } finally {
    await queue.close();
  }
  expect(version(path)).toBe(1);
});

it('a console.db without a schema version keeps its deploy history', async () => {
  const path = legacy('console.db', `
    CREATE TABLE deploys (
      id INTEGER PRIMARY KEY, function_name TEXT NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL, version TEXT,
      code_sha256 TEXT, code_size INTEGER, revision_id TEXT, runtime TEXT, handler TEXT, memory_size INTEGER, timeout INTEGER);
    CREATE INDEX deploys_function ON deploys (function_name, id);
    CREATE TABLE payloads (
      id INTEGER PRIMARY KEY, request_id TEXT NOT NULL UNIQUE, at INTEGER NOT NULL,
      event TEXT NOT NULL, response TEXT NOT NULL, truncated INTEGER NOT NULL);
    CREATE INDEX payloads_at ON payloads (at);
    INSERT INTO deploys (function_name, at, kind, runtime, memory_size) VALUES ('f', 1700000000000, 'create', 'nodejs20.x', 128);`);
  const store = new SqliteConsoleStore(path);
  try {
    expect((await store.deploys('f', 10)).map((d) => [d.kind, d.runtime, d.memorySize])).toEqual([['create', 'nodejs20.x', 128]]);
  } finally {
    await store.close();
  }
  expect(version(path)).toBe(1);
});

it('a logs.db opens again at the version it was left at, its events still there', async () => {
  const first = SqliteLogStore.open(dir, { log: () => undefined });
  await first.writeBatch([{ group: '/aws/lambda/f', stream: 's', envId: 'e', requestId: undefined, level: undefined, timestamp: Date.now(), message: 'kept' }]);
  await first.close();
  const stored = version(join(dir, 'logs.db'));
  expect(stored).toBeGreaterThan(0);
  const again = SqliteLogStore.open(dir, { log: () => undefined });
  try {
    const page = await again.getStreamEvents({ group: '/aws/lambda/f', stream: 's', limit: 10 });
    expect(page.events.map((e) => e.message)).toEqual(['kept']);
  } finally {
    await again.close();
  }
  expect(version(join(dir, 'logs.db'))).toBe(stored);
});
