// How lambkin opens a SQLite file: WAL (readers never wait for the writer), a busy timeout (a
// second connection waits for the lock instead of failing at once), the durability the store asks
// for, then its migrations.
import Database from 'better-sqlite3';
import { migrateSqlite, type Migrations } from './migrate.js';

export interface SqliteOptions {
  /**
   * FULL: a commit survives a power cut (stores whose writes are acknowledged to a caller: the
   * registry, the async queue). NORMAL: consistent after a power cut, but the last commits may
   * be lost (logs, console history: high volume, re-creatable).
   */
  readonly synchronous: 'FULL' | 'NORMAL';
  /** Extra pragmas, e.g. `cache_size = -16384`. */
  readonly pragmas?: readonly string[];
}

export function openSqlite(path: string, migrations: Migrations, options: SqliteOptions): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous}`);
    db.pragma('busy_timeout = 5000');
    for (const pragma of options.pragmas ?? []) db.pragma(pragma);
    migrateSqlite(db, path, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
