// src/database/: URLs never show a password, the migration runner applies each step once and
// refuses a newer schema, and on PostgreSQL two nodes migrating at once take turns.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DatabaseUnavailable, Postgres, migratePostgres, openSqlite, parseDatabaseUrl, redactUrl,
} from '../../src/database/index.js';
import { ConfigError } from '../../src/errors.js';
import { describePostgres, useTestDatabase } from '../helpers/database.js';
import { failure } from '../helpers/failure.js';

describe('database URLs', () => {
  it('hide the password in every form', () => {
    expect(redactUrl('postgres://ann:s3cr%40t@db:5432/lambkin')).toBe('postgres://ann:***@db:5432/lambkin');
    expect(redactUrl('postgres://db/lambkin?user=ann&password=s3cret&x=1')).toBe('postgres://db/lambkin?user=ann&password=***&x=1');
    expect(redactUrl('postgres://ann@db/lambkin')).toBe('postgres://ann@db/lambkin');
    expect(parseDatabaseUrl('postgresql://ann:pw@db/lambkin').redacted).toBe('postgresql://ann:***@db/lambkin');
  });

  it('are refused with a message that names them without the password', () => {
    for (const bad of ['mysql://ann:topsecret@db/x', 'postgres://ann:topsecret@db/', 'postgres://ann:topsecret@db/a/b', 'not a url topsecret']) {
      let message = '';
      try {
        parseDatabaseUrl(bad);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        message = (err as Error).message;
      }
      expect(message).not.toBe('');
      expect(message.includes('topsecret') && bad.includes('://')).toBe(false);
    }
  });

  it('a database that is not there fails fast, naming it without the password', async () => {
    // A port nothing listens on (loopback): refused at once.
    const url = parseDatabaseUrl('postgres://ann:topsecret@127.0.0.1:1/lambkin');
    const err = await failure(Postgres.connect(url, { connectTimeoutMs: 2000 }));
    expect(err).toBeInstanceOf(DatabaseUnavailable);
    expect((err as Error).message).toContain('postgres://ann:***@127.0.0.1:1/lambkin');
    expect((err as Error).message).not.toContain('topsecret');
  });

  it('a database that accepts connections but never answers gives an error, not a hang', async () => {
    // A loopback listener that takes the connection and says nothing (a hung server, a black hole).
    const held: Socket[] = [];
    const silent = createServer((s) => held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      const url = parseDatabaseUrl(`postgres://ann:topsecret@127.0.0.1:${port}/lambkin`);
      const err = await failure(Postgres.connect(url, { connectTimeoutMs: 500 }));
      expect(err).toBeInstanceOf(DatabaseUnavailable);
      expect((err as Error).message).toMatch(/unavailable: .*timeout/i);
      expect((err as Error).message).not.toContain('topsecret');
    } finally {
      for (const s of held) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('SQLite migrations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('apply each step once, across reopenings, and refuse a newer schema', () => {
    const path = join(dir, 'a.db');
    const one = { store: 't', steps: ['CREATE TABLE a (x INTEGER)'] };
    const two = { store: 't', steps: [...one.steps, 'ALTER TABLE a ADD COLUMN y INTEGER'] };
    openSqlite(path, one, { synchronous: 'FULL' }).close();
    const db = openSqlite(path, two, { synchronous: 'FULL' });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.prepare('INSERT INTO a (x, y) VALUES (1, 2)').run();
    db.close();
    expect(() => openSqlite(path, one, { synchronous: 'FULL' })).toThrow(ConfigError);
  });
});

describePostgres('PostgreSQL migrations', () => {
  const database = useTestDatabase();

  it('two nodes migrating at once apply each step exactly once', async () => {
    const steps = ['CREATE TABLE things (id INTEGER PRIMARY KEY)', 'ALTER TABLE things ADD COLUMN label TEXT'];
    const nodes = await Promise.all([1, 2, 3].map(() => Postgres.connect(database.url())));
    try {
      await Promise.all(nodes.map((n) => migratePostgres(n, { store: 'things', steps })));
      const rows = await nodes[0]!.query<{ version: number }>("SELECT version FROM lambkin_migrations WHERE store = 'things' ORDER BY version");
      expect(rows.map((r) => r.version)).toEqual([1, 2]);
      await nodes[0]!.execute("INSERT INTO things (id, label) VALUES (1, 'x')");
      // Another store's schema is counted apart.
      await migratePostgres(nodes[1]!, { store: 'other', steps: ['CREATE TABLE other (id INTEGER)'] });
      await expect(migratePostgres(nodes[2]!, { store: 'things', steps: steps.slice(0, 1) })).rejects.toBeInstanceOf(ConfigError);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });
});
